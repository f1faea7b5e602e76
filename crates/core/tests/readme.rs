//! The README's list of supported commands is the one the command table produces.

#[test]
fn readme_command_list_matches_the_command_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    let begin = "<!-- commands:begin (cargo run -q -p ferrokey-core --example command_list) -->\n";
    let end = "<!-- commands:end -->";
    let start = readme.find(begin).expect("README has the commands:begin marker") + begin.len();
    let stop = readme[start..].find(end).expect("README has the commands:end marker") + start;
    let expected = ferrokey_core::command::markdown_command_list();
    assert!(
        readme[start..stop] == expected,
        "README's command list is stale: run `cargo run -q -p ferrokey-core --example command_list` and paste it between the markers"
    );
}
