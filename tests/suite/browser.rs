// moved: re-export until the merge
//
// Not compiled. The browser tests are now tests/cli/browser.rs and read their shard table from
// tests/fixtures/shard_examples.json; this file only keeps the unit test
// `static_index::tests::shards_follow_the_documented_rule` (which `include_str!`s this path and
// looks for each pair) passing until browser_index reads the JSON file too. Delete it then.
//
// ("parti", "pa"), ("x", "x_"), ("a股", "a_"), ("2023", "20"), ("red-wal", "re"),
// ("党建", "u515a"), ("乌鲁木齐市", "u4e4c"), ("𠀀字", "u20000"), ("été", "ue9"), ("", "_")
