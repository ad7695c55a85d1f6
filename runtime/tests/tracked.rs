//! Tracked values (`Places::tracked`), as in Axon's Coordinating Assistant
//! Tracker: set once, updated and read by name; and, beyond the CAT,
//! waited for, from generator and threaded components and from handles.
//! Each system has its own.

mod common;

use common::{HANG, run_bounded, within_hang};
use myelin::meeting::{Key, TrackedError};
use myelin::prelude::*;

const LEVEL: Key<u32> = Key::new("level");
const DONE: Key<u32> = Key::new("done");

/// Waits for `level`, then updates it to twice its value and says so.
#[component]
struct Doubler {}

impl Component for Doubler {
    async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
        let tracked = cx.places();
        let tracked = tracked.tracked();
        let level = tracked.wait_for(&LEVEL).await?;
        tracked.update(&LEVEL, level * 2)?;
        tracked.track(&DONE, level * 2)?;
        Ok(())
    }
}

/// Sets `level` from a thread of its own.
#[component(thread)]
struct Setter {
    level: u32,
}

impl ThreadComponent for Setter {
    fn main(&mut self, cx: &mut ThreadContext) -> Result<(), Error> {
        cx.places().tracked().track(&LEVEL, self.level)?;
        Ok(())
    }
}

/// A generator waits for a value a threaded component sets; the handle's
/// user waits for the result and reads the update.
#[test]
fn a_component_waits_for_a_value_another_sets() {
    let handle = myelin::spawn(graphline! {
        components { doubler: Doubler::new(), setter: Setter::new(21) }
        links {}
    });
    let places = handle.places();
    let done = places.tracked().wait_timeout(&DONE, HANG).unwrap();
    assert_eq!(done, 42);
    assert_eq!(places.tracked().get(&LEVEL), Ok(42));
    within_hang(move || handle.join()).unwrap();
    assert_eq!(places.tracked().names(), ["done", "level"]);
}

/// Tracking a name twice is an error, not a silent replacement, and the
/// component that tries fails with it; updating or reading a name never
/// tracked, or with another type, fails with the name (and both types).
#[test]
fn every_error_is_the_components_failure_and_names_the_value() {
    /// Tries each misuse in turn, checking each error; then tracks `level`
    /// a second time, which fails it.
    #[component]
    struct Misuse {}

    impl Component for Misuse {
        async fn main(&mut self, cx: &mut Context) -> Result<(), Error> {
            let places = cx.places();
            let tracked = places.tracked();
            assert_eq!(
                tracked.update(&LEVEL, 1),
                Err(TrackedError::Untracked("level".into()))
            );
            assert_eq!(
                tracked.get(&LEVEL),
                Err(TrackedError::Untracked("level".into()))
            );
            tracked.track(&LEVEL, 1)?;
            let as_text: Key<String> = Key::new("level");
            assert_eq!(
                tracked.get(&as_text).unwrap_err().to_string(),
                "tracked value `level` holds `u32`, but was used as `alloc::string::String`"
            );
            tracked.track(&LEVEL, 2)?;
            Ok(())
        }
    }

    let err = run_bounded("misuse", Misuse::new).unwrap_err();
    let report = err.report().expect("the report");
    let failures: Vec<_> = report.failures().collect();
    assert_eq!(
        failures,
        [("Misuse", "tracked value `level` is already tracked")]
    );
}

/// Two systems in one process: a value tracked in one is not in the other.
#[test]
fn each_system_has_its_own_tracked_values() {
    let one = myelin::spawn(Setter::new(1));
    let two = myelin::spawn(Setter::new(2));
    let (p1, p2) = (one.places(), two.places());
    within_hang(move || {
        one.join().unwrap();
        two.join().unwrap();
    });
    assert_eq!(p1.tracked().get(&LEVEL), Ok(1));
    assert_eq!(p2.tracked().get(&LEVEL), Ok(2));
}
