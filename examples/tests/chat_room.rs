//! The `chat_room` example: every client sees every line of every other
//! client, in the order each said them, and none of its own; nothing is
//! dropped or left unread.

use myelin_examples::chat::{Said, chat};

#[test]
fn every_client_sees_the_others_in_order() {
    let names: Vec<String> = (0..6).map(|i| format!("client{i}")).collect();
    let lines: Vec<Vec<String>> = (0..6)
        .map(|i| (0..20).map(|n| format!("line {n} of {i}")).collect())
        .collect();
    let line_refs: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| l.iter().map(String::as_str).collect())
        .collect();
    let clients: Vec<(&str, &[&str])> = names
        .iter()
        .map(String::as_str)
        .zip(line_refs.iter().map(Vec::as_slice))
        .collect();
    let (screens, report) = chat(&clients).expect("the room closes");
    for (i, screen) in screens.iter().enumerate() {
        assert_eq!(screen.len(), 5 * 20, "{}", names[i]);
        assert!(screen.iter().all(|s| s.from != names[i]), "no echo");
        for (j, name) in names.iter().enumerate().filter(|(j, _)| *j != i) {
            let from_j: Vec<&Said> = screen.iter().filter(|s| &s.from == name).collect();
            let texts: Vec<&str> = from_j.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(texts, line_refs[j], "{} as seen by {}", name, names[i]);
        }
    }
    let room = report.backplane("chat room").expect("reported");
    assert_eq!(room.published, 6 * 20);
    assert_eq!(room.discarded, 0);
    assert!(
        room.subscriptions
            .iter()
            .all(|s| s.delivered == 120 && s.dropped == 0 && s.unread == 0),
        "{report}"
    );
}
