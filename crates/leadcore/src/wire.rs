//! The wire form every door shares: canonical JSON (keys sorted at every level, no spaces),
//! so Rust, Python and C give byte-identical output for the same input.

use serde::Serialize;
use serde_json::Value;

/// Reads any wire-form value from JSON text, the way every door does: an
/// [`crate::ErrorKind::InvalidInput`] naming `what` and the path of the value that failed.
///
/// ```
/// let err = leadcore::wire::from_json::<leadcore::Lead>("{\"id\": 7}", "lead").unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: lead at `id`: invalid type: integer `7`, expected a string at line 1 column 8");
/// ```
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> crate::Result<T> {
    let invalid = |message: String| crate::Error::invalid_input(message);
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        invalid(if path.is_empty() || path == "." || path == "?" {
            format!("{what}: {inner}")
        } else {
            format!("{what} at `{path}`: {inner}")
        })
    })?;
    de.end().map_err(|e| invalid(format!("{what}: {e}")))?;
    // A key given twice in one object would be read as its last value (`"scores": {"lead":
    // 10, "lead": 150}` grants MQL): refused, as TOML and YAML refuse it.
    unique_keys(text).map_err(|(path, e)| invalid(format!("{what} at `{path}`: {e}")))?;
    Ok(value)
}

/// Checks that no JSON object in `text` (valid JSON) repeats a key; on the first repeat,
/// the path of the repeated key (`scores.lead`, `stages[2].name`; `.` for the root) and
/// an error saying so, with its line and column. A second pass over the text that keeps
/// only the keys of the objects it is in, so it costs a fraction of reading the value.
///
/// ```
/// let err = leadcore::wire::from_json::<serde_json::Value>(r#"{"scores": {"lead": 10, "lead": 150}}"#, "input")
///     .unwrap_err();
/// assert_eq!(err.code(), "input.invalid");
/// assert_eq!(err.to_string(), "invalid input: input at `scores.lead`: duplicate key `lead` at line 1 column 30");
/// ```
pub(crate) fn unique_keys(text: &str) -> Result<(), (String, serde_json::Error)> {
    let mut path = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(UniqueKeys { path: &mut path }, &mut de)
        .map_err(|e| (render(&path), e))
}

enum Segment {
    Key(String),
    Index(usize),
}

fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

/// Visits any JSON value, checking the keys of every object; the path is left pointing at
/// the value that failed.
struct UniqueKeys<'p> {
    path: &'p mut Vec<Segment>,
}

/// A key as written, borrowed from the text unless it holds escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Segment::Index(i));
            if seq
                .next_element_seed(UniqueKeys { path: self.path })?
                .is_none()
            {
                self.path.pop();
                return Ok(());
            }
            self.path.pop();
            i += 1;
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are mostly small: a list, searched in order, until it grows.
        let mut few: Vec<std::borrow::Cow<'de, str>> = Vec::new();
        let mut many = std::collections::BTreeSet::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let repeated = if few.len() < 16 {
                let seen = few.contains(&key);
                few.push(key.clone());
                seen
            } else {
                if many.is_empty() {
                    many.extend(few.iter().cloned());
                }
                !many.insert(key.clone())
            };
            self.path.push(Segment::Key(key.clone().into_owned()));
            if repeated {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key `{key}`"
                )));
            }
            map.next_value_seed(UniqueKeys { path: self.path })?;
            self.path.pop();
        }
        Ok(())
    }
}

/// Serialises a value as canonical JSON: object keys sorted at every depth, compact.
///
/// ```
/// let v = serde_json::json!({"b": 1, "a": {"d": [true], "c": null}});
/// assert_eq!(leadcore::wire::canonical_json(&v), r#"{"a":{"c":null,"d":[true]},"b":1}"#);
/// ```
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(v) => {
            let mut out = String::new();
            write(&v, &mut out);
            out
        }
        // Only maps with non-string keys fail; the core has none.
        Err(e) => format!("{{\"code\":\"internal\",\"message\":{:?}}}", e.to_string()),
    }
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(k) {
                    write(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
