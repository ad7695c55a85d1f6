//! Passing control on the Kamaelia way: `pass_on`, which is not an error
//! when nobody is left to hear it, and `end_with_shutdown`, which makes
//! `signal` say `Shutdown` at the end.

mod common;

use common::{HANG, Shared, push, run_bounded, shared, take};
use myelin::prelude::*;
use myelin::{Outcome, SendErrorKind, Sender, select};

/// How a component passes a message on.
#[derive(Clone, Copy, Debug)]
enum How {
    /// `cx.pass_on(..)`.
    PassOn,
    /// `cx.signal().send(..)`, for comparison.
    Send,
}

/// Passes a `Shutdown` on once its input has ended, and records what that
/// gave.
#[component]
struct Forward {
    inbox: Inbox<u32>,
    how: How,
    got: Shared<String>,
}

impl Component for Forward {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        while self.inbox.recv().await.is_some() {}
        match self.how {
            How::PassOn => {
                let delivered = cx.pass_on(Control::Shutdown).await;
                push(&self.got, format!("delivered {delivered}"));
            }
            How::Send => match cx.signal().send(Control::Shutdown).await {
                Ok(()) => push(&self.got, "sent".to_owned()),
                Err(e) => push(&self.got, format!("{:?}", e.kind())),
            },
        }
        Ok(())
    }
}

/// Ends at once (its outbox closing tells `Forward` so), or, with `wait`,
/// waits for a `Shutdown` and records it.
#[component]
struct Next {
    outbox: Outbox<u32>,
    wait: bool,
    got: Shared<String>,
}

impl Component for Next {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        if self.wait {
            // Its end of data first, so that `Forward` goes on.
            drop(std::mem::replace(&mut self.outbox, Outbox::new("outbox")));
            while let Some(msg) = cx.control().recv().await {
                push(&self.got, format!("next got {msg}"));
                if msg == Control::Shutdown {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// `Forward` passing on to `Next`, whose outbox feeds `Forward`: when
/// `Forward`'s input ends, `Next` has ended (with `wait` false), so the
/// race in which the next component is already gone is not a race here.
fn forward_to_next(how: How, wait: bool, got: &Shared<String>) -> Vec<String> {
    let g = got.clone();
    let report = run_bounded("forward", move || {
        graphline! {
            components {
                forward: Forward::new(how, g.clone()),
                next: Next::new(wait, g),
            }
            links {
                next.outbox -> forward.inbox,
                forward.signal -> next.control,
            }
        }
    })
    .unwrap();
    assert!(report.is_success(), "{report:?}");
    take(got)
}

#[test]
fn passing_on_to_a_component_that_has_ended_is_not_an_error() {
    // A plain send fails there: the race the issue saw in one run in six.
    assert_eq!(forward_to_next(How::Send, false, &shared()), ["Closed"]);
    assert_eq!(
        forward_to_next(How::PassOn, false, &shared()),
        ["delivered false"]
    );
}

#[test]
fn passing_on_to_a_waiting_component_delivers() {
    let mut got = forward_to_next(How::PassOn, true, &shared());
    got.sort();
    assert_eq!(got, ["delivered true", "next got shutdown requested"]);
}

/// Passes a `Shutdown` on at once.
#[component]
struct Alone {
    how: How,
    got: Shared<String>,
}

impl Component for Alone {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        match self.how {
            How::PassOn => {
                let delivered = cx.pass_on(Control::Shutdown).await;
                push(&self.got, format!("delivered {delivered}"));
            }
            How::Send => {
                let e = cx.signal().send(Control::Shutdown).await.unwrap_err();
                assert_eq!(e.kind(), SendErrorKind::Unlinked);
                push(&self.got, "Unlinked".to_owned());
            }
        }
        Ok(())
    }
}

#[test]
fn passing_on_with_nothing_linked_to_signal_is_not_an_error() {
    for (how, expected) in [(How::Send, "Unlinked"), (How::PassOn, "delivered false")] {
        let got = shared();
        let g = got.clone();
        let report = run_bounded("alone", move || Alone::new(how, g)).unwrap();
        assert!(report.is_success(), "{report:?}");
        assert_eq!(report.undelivered(), 0);
        assert_eq!(take(&got), [expected]);
    }
}

/// Passes numbers on until its input ends or a `Shutdown` comes; then it
/// ends, with `Shutdown` on its `signal` in the second case.
#[component]
struct Relay {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
}

impl Component for Relay {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            select! {
                msg = cx.control() => if let Some(Control::Shutdown) = msg {
                    cx.end_with_shutdown();
                    return Ok(());
                },
                n = self.inbox => match n {
                    Some(n) => self.outbox.send(n).await?,
                    None => return Ok(()),
                },
            }
        }
    }
}

/// Records every control message and every number until its input ends,
/// and echoes the numbers.
#[component]
struct Watch {
    inbox: Inbox<u32>,
    outbox: Outbox<u32>,
    got: Shared<String>,
}

impl Component for Watch {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        loop {
            select! {
                msg = cx.control() => if let Some(msg) = msg {
                    push(&self.got, format!("{msg}"));
                },
                n = self.inbox => match n {
                    Some(n) => {
                        push(&self.got, format!("{n}"));
                        self.outbox.send(n).await?;
                    }
                    None => return Ok(()),
                },
            }
        }
    }
}

#[test]
fn a_shutdown_travels_down_a_pipeline_as_each_stage_ends_with_it() {
    let got = shared();
    let system = pipeline![Relay::new(), Relay::new(), Watch::new(got.clone())].into_part();
    let ports = system.handles();
    let mut input = Sender::new(&ports.inbox).unwrap();
    let mut output = myelin::Receiver::new(&ports.outbox).unwrap();
    let mut control = Sender::new(&ports.control).unwrap();
    for n in [1, 2] {
        input.send(n).unwrap();
    }
    let handle = myelin::spawn(system);
    // The numbers first: once the last is through, the `Shutdown` goes in.
    for n in [1, 2] {
        assert_eq!(output.recv_timeout(HANG), Ok(n));
    }
    control.send(Control::Shutdown).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(handle.join());
    });
    // `input` is still open: only the `Shutdown` can end the pipeline.
    let report = rx
        .recv_timeout(HANG)
        .expect("the pipeline did not stop")
        .unwrap();
    drop(input);
    assert!(report.is_success(), "{report:?}");
    // The watcher heard one `Shutdown` from the relay before it, and no
    // `Finished`.
    assert_eq!(take(&got), ["1", "2", "shutdown requested"]);
}

/// Ends at once, asking for `Shutdown` on its `signal`; fails if `fail`.
#[component]
struct EndWith {
    outbox: Outbox<u32>,
    fail: bool,
}

impl Component for EndWith {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        cx.end_with_shutdown();
        if self.fail {
            Err(Error::msg("broken"))
        } else {
            Ok(())
        }
    }
}

/// [`EndWith`] on a thread of its own.
#[component(thread)]
struct EndWithThread {
    outbox: Outbox<u32>,
}

impl ThreadComponent for EndWithThread {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        cx.end_with_shutdown();
        Ok(())
    }
}

fn end_signal(system: impl IntoPart) -> (Vec<String>, myelin::Report) {
    let part = system.into_part();
    let mut signal = myelin::Receiver::new(&part.signal_port()).unwrap();
    let handle = myelin::spawn(part);
    let mut got = Vec::new();
    while let Ok(msg) = signal.recv_timeout(HANG) {
        got.push(msg.to_string());
    }
    (
        got,
        handle
            .join()
            .unwrap_or_else(|e| e.report().cloned().unwrap()),
    )
}

#[test]
fn a_component_can_end_with_shutdown_on_its_signal() {
    let (got, report) = end_signal(EndWith::new(false));
    assert_eq!(got, ["shutdown requested"]);
    assert_eq!(report.components()[0].outcome, Outcome::Finished);

    let (got, _) = end_signal(EndWithThread::new());
    assert_eq!(got, ["shutdown requested"]);

    // A failure still says so.
    let (got, report) = end_signal(EndWith::new(true));
    assert_eq!(got, ["EndWith failed: broken"]);
    assert!(!report.is_success());
}
