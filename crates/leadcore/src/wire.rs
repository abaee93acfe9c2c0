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
    Ok(value)
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
