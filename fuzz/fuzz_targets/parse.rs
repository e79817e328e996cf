//! Fuzz target: any text through the parser, the reviewer checks and the printer, and the
//! printed text through the parser again. A panic or a timeout is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc = hexa_flowchart::parse(text);
    let _ = hexa_flowchart::check(&doc);
    let printed = hexa_flowchart::format::format(&doc);
    let _ = hexa_flowchart::parse(&printed);
});
