//! The wire form every door shares: canonical JSON (keys sorted at every level, no spaces),
//! so Rust, Python and C give byte-identical output for the same input.

use serde::Serialize;
use serde_json::Value;

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
