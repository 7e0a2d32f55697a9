//! Streams the records of one JSON document (a ClaimReview array, graph or
//! feed, or a Fact Check Tools API response) without holding the document:
//! serde visits the outer array element by element and each element is
//! mapped and handed over before the next one is parsed.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{claimreview, factcheck_api, RecordError};
use crate::error::{Error, Result};
use crate::model::Claim;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    ClaimReview,
    FactcheckApi,
}

type Sink<'a> = &'a mut dyn FnMut(std::result::Result<Claim, RecordError>) -> Result<()>;

/// Counts the newlines serde has consumed, so a record's error can name the
/// line it ends on. serde_json reads from a `Read` one byte at a time and
/// never reads past the closing bracket of a value, so the count is exact.
struct CountingReader<R> {
    inner: R,
    newlines: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let seen = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        self.newlines.set(self.newlines.get() + seen);
        Ok(n)
    }
}

struct State<'a> {
    sink: Sink<'a>,
    shape: Shape,
    newlines: Rc<Cell<u64>>,
    /// The sink's own error, kept aside while serde unwinds with a stand-in.
    stopped: Option<Error>,
}

impl State<'_> {
    fn line(&self) -> u64 {
        self.newlines.get() + 1
    }

    /// Maps one element and hands its records over.
    fn element<E: de::Error>(&mut self, mut value: Value) -> std::result::Result<(), E> {
        super::clean::value(&mut value);
        let records = match self.shape {
            Shape::ClaimReview => claimreview::expand(value),
            Shape::FactcheckApi => factcheck_api::claims_from_record(value),
        };
        let line = self.line();
        for record in records {
            let record = record
                .and_then(super::clean::checked)
                .map_err(|reason| RecordError { line, reason });
            if let Err(e) = (self.sink)(record) {
                self.stopped = Some(e);
                return Err(E::custom("stopped by the caller"));
            }
        }
        Ok(())
    }
}

pub(crate) fn read(input: impl BufRead, shape: Shape, sink: Sink<'_>) -> Result<()> {
    let newlines = Rc::new(Cell::new(0));
    let reader = CountingReader {
        inner: input,
        newlines: Rc::clone(&newlines),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut state = State {
        sink,
        shape,
        newlines,
        stopped: None,
    };
    let result = Top(&mut state).deserialize(&mut de).and_then(|()| de.end());
    if let Some(e) = state.stopped.take() {
        return Err(e);
    }
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.is_io() => Err(Error::Io(e.into())),
        Err(e) => {
            let line = if e.line() > 0 {
                e.line() as u64
            } else {
                state.line()
            };
            (state.sink)(Err(RecordError {
                line,
                reason: describe(&e),
            }))
        }
    }
}

/// serde_json's message without its position (the line is reported apart).
pub(crate) fn describe(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    };
    match e.classify() {
        serde_json::error::Category::Eof => format!("truncated JSON: {msg}"),
        serde_json::error::Category::Syntax => format!("invalid JSON: {msg}"),
        _ => msg,
    }
}

/// The whole document.
struct Top<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array or object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<(), A::Error> {
        Elements(self.0).visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let state = self.0;
        let mut streamed = false;
        // Keys other than the streamed list: for a single ClaimReview node
        // they are the record itself (small); otherwise they are skipped.
        let mut rest = Map::new();
        let mut other_keys = false;
        while let Some(key) = map.next_key::<String>()? {
            let streams = match state.shape {
                Shape::FactcheckApi => key == "claims",
                Shape::ClaimReview => key == "@graph" || key == "dataFeedElement",
            };
            if streams {
                map.next_value_seed(Elements(state))?;
                streamed = true;
            } else if state.shape == Shape::ClaimReview && !streamed {
                let value = map.next_value::<Value>()?;
                rest.insert(key, value);
            } else {
                other_keys = true;
                map.next_value::<IgnoredAny>()?;
            }
        }
        match state.shape {
            Shape::ClaimReview if !streamed => state.element(Value::Object(rest)),
            // The API answers `{}` when nothing matched; that is not an error.
            Shape::FactcheckApi if !streamed && other_keys => Err(de::Error::custom(
                "no \"claims\" array: not a Fact Check Tools API response",
            )),
            _ => Ok(()),
        }
    }
}

/// A list whose elements are records (or nodes that expand to records).
struct Elements<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            self.0.element(value)?;
        }
        Ok(())
    }

    /// A graph of one node may be written without the list.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<(), A::Error> {
        let value = serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.0.element(value)
    }
}

/// The keys of the outermost object at the start of `body`, as far as the
/// bytes go: a truncated prefix still names the keys before the cut.
pub(crate) fn top_level_keys(body: &[u8]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    // An error only means the prefix ended inside the document.
    let _ = KeyNames(&mut keys).deserialize(&mut de);
    keys
}

struct KeyNames<'k>(&'k mut Vec<String>);

impl<'de> DeserializeSeed<'de> for KeyNames<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeyNames<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.0.push(key);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}
