//! The OpenAPI description checked against what the server really does:
//! every response the tests see is validated against `/openapi.json`.

use std::sync::LazyLock;

use serde_json::{json, Value};

/// The description, as `GET /openapi.json` serves it.
pub static SPEC: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(&debunk::api::openapi_json()).expect("the OpenAPI description is JSON")
});

/// The documented path template `path` falls under, if any.
fn template_of(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    SPEC["paths"]
        .as_object()
        .unwrap()
        .keys()
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        })
        .cloned()
}

/// Validates `instance` against `schema`, whose references point into the
/// description's components.
fn check_schema(schema: &Value, instance: &Value, what: &str) {
    let mut root = schema.clone();
    root.as_object_mut()
        .expect("a schema object")
        .insert("components".into(), SPEC["components"].clone());
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("{what}: the documented schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the response does not match its documented schema:\n{}\n{instance}",
        errors.join("\n")
    );
}

/// Asserts that this response is documented: route, method, status, media
/// type, and for JSON its schema.
pub fn check(method: &str, uri: &str, status: u16, content_type: &str, body: &[u8]) {
    let method = method.to_ascii_lowercase();
    if method == "options" {
        // CORS preflights are answered before any route.
        return;
    }
    let path = uri.split('?').next().unwrap_or(uri);
    let what = format!("{} {path} -> {status}", method.to_uppercase());
    let problem = json!({"$ref": "#/components/schemas/Problem"});
    let Some(template) = template_of(path) else {
        assert_eq!(status, 404, "{what}: not a documented route");
        if path.starts_with("/api/") {
            check_schema(&problem, &serde_json::from_slice(body).unwrap(), &what);
        } else {
            // Outside the API unknown paths are pages' business: the HTML 404.
            assert!(
                content_type.starts_with("text/html"),
                "{what}: {content_type}"
            );
        }
        return;
    };
    let Some(op) = SPEC["paths"][&template].get(&method) else {
        assert_eq!(status, 405, "{what}: not a documented method of {template}");
        check_schema(&problem, &serde_json::from_slice(body).unwrap(), &what);
        return;
    };
    let response = op["responses"]
        .get(status.to_string())
        .unwrap_or_else(|| panic!("{what}: status {status} is not documented for {template}"));
    let media = content_type.split(';').next().unwrap_or("").trim();
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        assert!(body.is_empty(), "{what}: a body where none is documented");
        return;
    };
    let documented = content
        .get(media)
        .unwrap_or_else(|| panic!("{what}: media type {media:?} is not documented"));
    if media == "application/json" || media.ends_with("+json") {
        let instance: Value = serde_json::from_slice(body)
            .unwrap_or_else(|e| panic!("{what}: the body is not JSON: {e}"));
        if let Some(schema) = documented.get("schema") {
            check_schema(schema, &instance, &what);
        }
    }
}

#[test]
fn the_description_is_openapi_3_1_and_lists_every_route() {
    assert_eq!(SPEC["openapi"], "3.1.0");
    let mut routes: Vec<String> = Vec::new();
    for (path, item) in SPEC["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    let expected = [
        "DELETE /api/v1/claims/{id}",
        "DELETE /api/v1/keys/{id}",
        "DELETE /api/v1/narratives/{id}",
        "GET /api/v1/audit",
        "GET /api/v1/claims",
        "GET /api/v1/claims/{id}",
        "GET /api/v1/claims/{id}/appearances",
        "GET /api/v1/export",
        "GET /api/v1/keys",
        "GET /api/v1/links",
        "GET /api/v1/links/{id}",
        "GET /api/v1/narratives",
        "GET /api/v1/narratives/{id}",
        "GET /api/v1/posts/{id}",
        "GET /api/v1/review",
        "GET /api/v1/settings",
        "GET /docs",
        "GET /healthz",
        "GET /metrics",
        "GET /openapi.json",
        "GET /readyz",
        "PATCH /api/v1/claims/{id}",
        "PATCH /api/v1/narratives/{id}",
        "POST /api/v1/claims",
        "POST /api/v1/claims/{id}/appearances",
        "POST /api/v1/import",
        "POST /api/v1/keys",
        "POST /api/v1/links/decide",
        "POST /api/v1/links/{id}/confirm",
        "POST /api/v1/links/{id}/reject",
        "POST /api/v1/match",
        "POST /api/v1/match/batch",
        "POST /api/v1/narratives",
        "POST /api/v1/posts",
        "POST /api/v1/posts/batch",
        "POST /api/v1/posts/{id}/reject-all",
        "PUT /api/v1/claims/{id}",
        "PUT /api/v1/settings",
    ];
    assert_eq!(routes, expected);
    // Every operation names its errors as problems and its writes a key.
    for (path, item) in SPEC["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["description"].is_string(), "{method} {path} undescribed");
            for (status, r) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    assert!(
                        r["content"].get("application/problem+json").is_some(),
                        "{method} {path} {status} is not a problem"
                    );
                }
            }
            let writes = method != "get" && !path.starts_with("/api/v1/match");
            if writes {
                assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
            }
        }
    }
}

#[test]
fn the_check_refuses_what_the_description_does_not_say() {
    let refused = |method: &'static str,
                   uri: &'static str,
                   status: u16,
                   ctype: &'static str,
                   body: &'static [u8]| {
        std::panic::catch_unwind(|| check(method, uri, status, ctype, body)).is_err()
    };
    // A claim without its text, a problem without its type.
    assert!(refused(
        "GET",
        "/api/v1/claims/x",
        200,
        "application/json",
        br#"{"id":"x"}"#
    ));
    assert!(refused(
        "GET",
        "/api/v1/claims/x",
        404,
        "application/problem+json",
        br#"{"title":"t","status":404}"#
    ));
    // A status, a media type and a route nobody documented.
    assert!(refused(
        "GET",
        "/api/v1/claims/x",
        418,
        "application/json",
        b"{}"
    ));
    assert!(refused("GET", "/api/v1/claims/x", 200, "text/html", b"<p>"));
    assert!(refused(
        "GET",
        "/api/v1/elsewhere",
        200,
        "application/json",
        b"{}"
    ));
    // And passes what it does say.
    check(
        "GET",
        "/api/v1/claims/x",
        200,
        "application/json",
        br#"{"id":"x","text":"t","verdict":"false","version":2}"#,
    );
}

/// A schema with its `$ref` (or nullable `oneOf`) followed into the components.
fn resolved(schema: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return resolved(&SPEC["components"]["schemas"][name]);
    }
    if let Some(alts) = schema["oneOf"].as_array() {
        if let Some(with_enum) = alts.iter().map(resolved).find(|a| a["enum"].is_array()) {
            return with_enum;
        }
    }
    schema.clone()
}

#[test]
fn the_docs_say_which_routes_take_a_key_and_describe_every_input() {
    for (path, item) in SPEC["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let summary = op["summary"]
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no summary"));
            assert!(
                !summary.is_empty() && !summary.contains('`'),
                "{what}: {summary:?}"
            );
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                assert!(
                    p["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{what}: parameter {name} undescribed"
                );
                if matches!(name, "format" | "sort" | "verdict") {
                    let schema = resolved(&p["schema"]);
                    assert!(
                        schema["enum"].is_array(),
                        "{what}: {name} lists no values: {schema}"
                    );
                }
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for (media, c) in content {
                    assert!(!c["example"].is_null(), "{what}: no example {media} body");
                }
            }
            // Reads open to anyone say a key is optional; only keys and the
            // moderators' thresholds need one.
            let open = op["security"]
                .as_array()
                .is_none_or(|alts| alts.iter().any(|a| a == &json!({})));
            let keyed_read = path.starts_with("/api/v1/keys") || path == "/api/v1/settings";
            let reads = method == "get" && !keyed_read;
            assert_eq!(open, reads || path.starts_with("/api/v1/match"), "{what}");
        }
    }
    let page = include_str!("../../src/api/docs.html");
    assert!(page.contains("Takes no key"));
}
