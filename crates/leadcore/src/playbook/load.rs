//! Reading playbook text: JSON, TOML and YAML, with the path of the value that failed.

use super::spec::PlaybookSpec;
use crate::error::{Error, ErrorKind, ParseError};
use std::fmt;
use std::str::FromStr;

/// A playbook text format.
///
/// ```
/// use leadcore::Format;
/// let f: Format = "YML".parse().unwrap();
/// assert_eq!((f, f.to_string()), (Format::Yaml, "yaml".to_owned()));
/// assert!("xml".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
    /// YAML 1.2.
    Yaml,
}

impl Format {
    /// The format's lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Toml => "toml",
            Format::Yaml => "yaml",
        }
    }

    /// The cargo feature of this crate that reads the format (`None` for JSON, always read).
    ///
    /// ```
    /// use leadcore::Format;
    /// assert_eq!(Format::Json.feature(), None);
    /// assert_eq!(Format::Yaml.feature(), Some("yaml"));
    /// ```
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Format::Json => None,
            Format::Toml => Some("toml"),
            Format::Yaml => Some("yaml"),
        }
    }

    /// Whether this build reads the format: JSON always, TOML and YAML with their features
    /// (on by default). A playbook in a format left out fails with `playbook.parse`, its
    /// [`ParseError::missing_feature`] naming the feature.
    ///
    /// ```
    /// assert!(leadcore::Format::Json.is_enabled());
    /// ```
    pub fn is_enabled(self) -> bool {
        match self {
            Format::Json => true,
            Format::Toml => cfg!(feature = "toml"),
            Format::Yaml => cfg!(feature = "yaml"),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;
    /// Parses `json`, `toml`, `yaml` or `yml` (any case).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "toml" => Ok(Format::Toml),
            "yaml" | "yml" => Ok(Format::Yaml),
            other => Err(Error::invalid_input(format!(
                "unknown playbook format `{other}` (expected json, toml or yaml)"
            ))),
        }
    }
}

fn parse_error(
    format: Format,
    path: String,
    pos: Option<(usize, usize)>,
    message: String,
) -> Error {
    Error::from(ErrorKind::Parse(ParseError {
        format: format.name().to_owned(),
        path: if path.is_empty() || path == "." || path == "?" {
            "(root)".to_owned()
        } else {
            path
        },
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        message,
        missing_feature: None,
    }))
}

/// A format this build leaves out: `playbook.parse`, naming the feature to turn on.
#[cfg(not(all(feature = "toml", feature = "yaml")))]
fn not_compiled(format: Format) -> Error {
    let feature = format.feature().unwrap_or_default();
    Error::from(ErrorKind::Parse(ParseError {
        format: format.name().to_owned(),
        path: "(root)".to_owned(),
        line: None,
        column: None,
        message: format!(
            "{} playbooks need leadcore's `{feature}` cargo feature, which this build leaves out",
            format.name().to_ascii_uppercase()
        ),
        missing_feature: Some(feature.to_owned()),
    }))
}

/// 1-based line and column of a byte offset.
#[cfg(any(feature = "toml", test))]
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

pub(crate) fn parse_spec(text: &str, format: Format) -> Result<PlaybookSpec, Error> {
    match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let spec: PlaybookSpec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let pos = (inner.line() > 0).then(|| (inner.line(), inner.column()));
                parse_error(format, path, pos, strip_position(&inner.to_string()))
            })?;
            de.end().map_err(|e| {
                parse_error(
                    format,
                    String::new(),
                    Some((e.line(), e.column())),
                    strip_position(&e.to_string()),
                )
            })?;
            // TOML and YAML refuse a key given twice; JSON would keep the last value.
            crate::wire::unique_keys(text).map_err(|(path, e)| {
                let pos = (e.line() > 0).then(|| (e.line(), e.column()));
                parse_error(format, path, pos, strip_position(&e.to_string()))
            })?;
            Ok(spec)
        }
        #[cfg(not(feature = "toml"))]
        Format::Toml => Err(not_compiled(format)),
        #[cfg(feature = "toml")]
        Format::Toml => {
            let de = toml::Deserializer::parse(text).map_err(|e| {
                let pos = e.span().map(|s| line_col(text, s.start));
                parse_error(format, String::new(), pos, e.message().to_owned())
            })?;
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let pos = inner.span().map(|s| line_col(text, s.start));
                parse_error(format, path, pos, inner.message().to_owned())
            })
        }
        #[cfg(not(feature = "yaml"))]
        Format::Yaml => Err(not_compiled(format)),
        #[cfg(feature = "yaml")]
        Format::Yaml => {
            let mut path = String::new();
            // The node budget is the same in every format (MAX_NODES); the playbook's own
            // limits (stages, transitions, ...) are checked after parsing, whatever the
            // format, so the YAML budget must not trip first.
            let mut budget = serde_saphyr::budget::Budget::default();
            budget.max_nodes = super::limits::MAX_NODES;
            budget.max_events = 2 * super::limits::MAX_NODES;
            let options = serde_saphyr::options! {
                strict_booleans: true,
                with_snippet: false,
                budget: Some(budget),
            };
            serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
                serde_path_to_error::deserialize(de).map_err(|e| {
                    path = e.path().to_string();
                    e.into_inner()
                })
            })
            .map_err(|e| {
                let pos = e
                    .location()
                    .map(|l| (l.line() as usize, l.column() as usize));
                parse_error(format, path, pos, strip_position(&e.to_string()))
            })
        }
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn json_error_names_the_path() {
        let err = parse_spec(
            r#"{"schema_version": 1, "lifecycle": {"name": "l", "initial": "A",
                "stages": [{"name": "A", "kind": "sideways"}]}}"#,
            Format::Json,
        )
        .unwrap_err();
        let ErrorKind::Parse(p) = err.into_kind() else {
            panic!("expected parse error")
        };
        assert_eq!(p.path, "lifecycle.stages[0].kind");
        assert!(p.line.is_some());
    }

    #[test]
    #[cfg(all(feature = "yaml", feature = "toml"))]
    fn yaml_and_toml_errors_name_the_path() {
        let yaml = "schema_version: 1\nlifecycle:\n  name: l\n  initial: A\n  stages:\n    - name: A\n      kind: sideways\n";
        let ErrorKind::Parse(p) = parse_spec(yaml, Format::Yaml).unwrap_err().into_kind() else {
            panic!()
        };
        assert_eq!(p.path, "lifecycle.stages[0].kind");
        let toml = "schema_version = 1\n[lifecycle]\nname = \"l\"\ninitial = \"A\"\n[[lifecycle.stages]]\nname = \"A\"\nkind = \"sideways\"\n";
        let ErrorKind::Parse(p) = parse_spec(toml, Format::Toml).unwrap_err().into_kind() else {
            panic!()
        };
        assert_eq!(p.path, "lifecycle.stages[0].kind");
        assert_eq!(p.line, Some(7));
    }

    #[test]
    fn a_format_left_out_names_its_feature() {
        for format in [Format::Toml, Format::Yaml] {
            if format.is_enabled() {
                continue;
            }
            let ErrorKind::Parse(p) = parse_spec("schema_version: 1", format)
                .unwrap_err()
                .into_kind()
            else {
                panic!("expected parse error")
            };
            assert_eq!(p.missing_feature.as_deref(), format.feature());
            assert!(p.message.contains("cargo feature"), "{}", p.message);
        }
    }
}
