//! `${NAME}` references to environment variables in configuration values.
//!
//! Secrets such as API tokens stay out of `toolexec.toml`: a header value
//! `"Bearer ${API_TOKEN}"` is resolved once, when the tool is built, and the result is
//! kept only where it is used (never in a `Debug` output, a log line or an envelope).
//! Written by hand because it is this project's own small rule: `${NAME}` is replaced,
//! `$${` stands for a literal `${`, and any other `$` is kept as it is.

use toolexec::PolicyError;

/// Replaces every `${NAME}` in `template` with the value of the environment variable
/// `NAME`; `key` names the configuration key in the error when a variable is unset or
/// a reference is malformed.
pub fn resolve_env(template: &str, key: &str) -> Result<String, PolicyError> {
    resolve_with(template, key, |name| std::env::var(name).ok())
}

/// [`resolve_env`] with the variables looked up by `lookup`.
pub(crate) fn resolve_with(
    template: &str,
    key: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, PolicyError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after.find('}').ok_or_else(|| {
                PolicyError::new(
                    key,
                    "unterminated `${`: write `${NAME}` or `$${` for a literal",
                )
            })?;
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(PolicyError::new(
                    key,
                    format!("`${{{name}}}` is not a valid environment variable reference"),
                ));
            }
            let value = lookup(name).ok_or_else(|| {
                PolicyError::new(key, format!("environment variable `{name}` is not set"))
            })?;
            out.push_str(&value);
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        (name == "API_TOKEN").then(|| "s3cret".to_owned())
    }

    #[test]
    fn references_are_replaced_and_other_dollars_kept() {
        let value = resolve_with(
            "Bearer ${API_TOKEN} costs $5",
            "headers.Authorization",
            lookup,
        );
        assert_eq!(value.ok().as_deref(), Some("Bearer s3cret costs $5"));
    }

    #[test]
    fn double_dollar_escapes_a_reference() {
        let value = resolve_with("$${API_TOKEN}", "k", lookup);
        assert_eq!(value.ok().as_deref(), Some("${API_TOKEN}"));
    }

    #[test]
    fn unset_variable_names_the_key_and_the_variable() {
        let error = resolve_with("${MISSING}", "headers.Authorization", lookup).err();
        let error = error.map(|e| (e.key, e.reason));
        assert_eq!(
            error,
            Some((
                "headers.Authorization".to_owned(),
                "environment variable `MISSING` is not set".to_owned()
            ))
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        assert!(resolve_with("${API_TOKEN", "k", lookup).is_err());
        assert!(resolve_with("${}", "k", lookup).is_err());
        assert!(resolve_with("${A-B}", "k", lookup).is_err());
    }
}
