//! Verdicts: the normalized scale every fact-check maps onto, and the table
//! that reads fact-checkers' own rating words (in Arabic, French, Spanish and
//! English) into it.

use serde::{Deserialize, Serialize};

/// The normalized verdict scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    False,
    MostlyFalse,
    Misleading,
    MissingContext,
    Mixed,
    Unproven,
    MostlyTrue,
    True,
    Satire,
    Other,
}

impl Verdict {
    pub const ALL: [Verdict; 10] = [
        Verdict::False,
        Verdict::MostlyFalse,
        Verdict::Misleading,
        Verdict::MissingContext,
        Verdict::Mixed,
        Verdict::Unproven,
        Verdict::MostlyTrue,
        Verdict::True,
        Verdict::Satire,
        Verdict::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::False => "false",
            Verdict::MostlyFalse => "mostly_false",
            Verdict::Misleading => "misleading",
            Verdict::MissingContext => "missing_context",
            Verdict::Mixed => "mixed",
            Verdict::Unproven => "unproven",
            Verdict::MostlyTrue => "mostly_true",
            Verdict::True => "true",
            Verdict::Satire => "satire",
            Verdict::Other => "other",
        }
    }

    /// The normalized name (`mostly_false`), exactly; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }

    /// Reads a fact-checker's rating text into the normalized scale.
    // Placeholder table; replaced by the full multilingual mapping.
    pub fn from_rating(text: &str) -> Verdict {
        Verdict::from_name(text.trim()).unwrap_or(Verdict::Other)
    }
}
