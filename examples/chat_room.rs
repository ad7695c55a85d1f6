//! A chat room in one process: three simulated clients meet at a backplane,
//! and each sees what the others say.
//!
//! ```text
//! cargo run --example chat_room
//! ```

use myelin_examples::chat::chat;

fn main() -> Result<(), myelin::Error> {
    let clients: &[(&str, &[&str])] = &[
        ("ada", &["hello", "anyone here?", "bye"]),
        ("bob", &["hi ada", "just me"]),
        ("cy", &["and me", "see you"]),
    ];
    let (screens, report) = chat(clients)?;
    for ((name, _), screen) in clients.iter().zip(&screens) {
        println!("{name}'s screen:");
        for said in screen {
            println!("  <{}> {}", said.from, said.text);
        }
        let others: usize = clients
            .iter()
            .filter(|(n, _)| n != name)
            .map(|(_, lines)| lines.len())
            .sum();
        assert_eq!(screen.len(), others, "{name} missed something");
    }
    print!("{report}");
    Ok(())
}
