#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| debunk_fuzz::checks::web(data));
