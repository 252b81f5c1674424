//! Query parameters to the engine's typed requests, with the limits that
//! keep one request from taking the server: text length, page size and
//! offset. Parameter names are the CLI's flag names (`q` for the query).

use std::collections::HashMap;

use super::ApiError;
use crate::engine::{SearchRequest, parse_query};
use crate::query::{AdminLevel, Filters, Query, Within, parse_years};

/// Longest query or filter text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Largest page of hits (`limit`).
pub const MAX_PAGE: usize = 100;
/// Deepest page start (`offset`): a page is the first `offset + limit`
/// hits, ranked, with the first `offset` dropped.
pub const MAX_OFFSET: usize = 10_000;

/// The query string of a request, by name (the last of repeated names).
#[derive(Debug, Default)]
pub struct Params(pub HashMap<String, String>);

impl Params {
    /// A text parameter, trimmed; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(value) = self.0.get(name).map(|v| v.trim()) else {
            return Ok(None);
        };
        if value.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_request(format!(
                "{name}: longer than {MAX_QUERY_CHARS} characters"
            )));
        }
        Ok((!value.is_empty()).then(|| value.to_string()))
    }

    /// A required text parameter.
    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.text(name)?
            .ok_or_else(|| ApiError::bad_request(format!("missing parameter '{name}'")))
    }

    /// A number parameter, `default` when absent, at most `max`.
    pub fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(text) = self.text(name)? else {
            return Ok(default);
        };
        let n: usize = text
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{name}: not a number: {text}")))?;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "{name}: at most {max} (got {n})"
            )));
        }
        Ok(n)
    }

    /// A yes/no parameter: `1`, `true`, `yes`, `on` or empty (present) mean yes.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.0.get(name).map(|v| v.trim()) {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "{name}: expected 1 or 0, got {other}"
            ))),
        }
    }

    /// The filters shared by the listing endpoints (`bureau`, `province`,
    /// `city`, `county`, `level`, `dept`, `year`, `min_score`), as the
    /// CLI's `FilterArgs`.
    pub fn filters(&self) -> Result<Filters, ApiError> {
        let years = match self.text("year")? {
            Some(y) => Some(parse_years(&y).map_err(ApiError::bad_request)?),
            None => None,
        };
        let level = match self.text("level")? {
            Some(l) => Some(AdminLevel::parse(&l).map_err(ApiError::bad_request)?),
            None => None,
        };
        let min_score = match self.text("min_score")? {
            Some(text) => match text.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "min_score: use a number of 0 or more, got {text}"
                    )));
                }
            },
            None => None,
        };
        Ok(Filters {
            bureau: self.text("bureau")?,
            province: self.text("province")?,
            city: self.text("city")?,
            county: self.text("county")?,
            level,
            dept: self.text("dept")?,
            years,
            topic: None,
            min_score,
        })
    }

    /// The query `q`, parsed (a 400 with the position when it does not).
    pub fn query(&self) -> Result<Query, ApiError> {
        Ok(parse_query(&self.required("q")?)?)
    }

    /// `within=sentence|paragraph`.
    pub fn within(&self) -> Result<Option<Within>, ApiError> {
        match self.text("within")?.as_deref() {
            None => Ok(None),
            Some("sentence") => Ok(Some(Within::Sentence)),
            Some("paragraph") => Ok(Some(Within::Paragraph)),
            Some(other) => Err(ApiError::bad_request(format!(
                "within: expected sentence or paragraph, got {other}"
            ))),
        }
    }

    /// A search as `fazhi search` would run it, without its limit.
    pub fn search_request(&self) -> Result<SearchRequest, ApiError> {
        Ok(SearchRequest {
            query: self.query()?,
            filters: self.filters()?,
            topic: self.text("topic")?,
            within: self.within()?,
            limit: None,
        })
    }

    /// `limit` (default `default`, 1 to `max`) and `offset` (0 to [`MAX_OFFSET`]).
    pub fn page(&self, default: usize, max: usize) -> Result<(usize, usize), ApiError> {
        let limit = self.number("limit", default, max)?;
        if limit == 0 {
            return Err(ApiError::bad_request("limit: at least 1"));
        }
        Ok((limit, self.number("offset", 0, MAX_OFFSET)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn limits_are_enforced() {
        let long = "法".repeat(MAX_QUERY_CHARS + 1);
        assert!(params(&[("q", &long)]).query().is_err());
        assert!(
            params(&[("q", &"法".repeat(MAX_QUERY_CHARS))])
                .query()
                .is_ok()
        );
        assert!(params(&[("limit", "101")]).page(20, MAX_PAGE).is_err());
        assert!(params(&[("limit", "0")]).page(20, MAX_PAGE).is_err());
        assert!(params(&[("limit", "-1")]).page(20, MAX_PAGE).is_err());
        assert!(params(&[("offset", "10001")]).page(20, MAX_PAGE).is_err());
        assert_eq!(
            params(&[("offset", "40")]).page(20, MAX_PAGE).unwrap(),
            (20, 40)
        );
    }

    #[test]
    fn bad_query_has_a_position() {
        let err = params(&[("q", "法律 \"顾问")]).query().unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(err.position.is_some(), "{err:?}");
    }

    #[test]
    fn filters_and_flags() {
        let p = params(&[("year", "2020..2021"), ("province", " 浙江 "), ("all", "1")]);
        let f = p.filters().unwrap();
        assert_eq!(f.years, Some((Some(2020), Some(2021))));
        assert_eq!(f.province.as_deref(), Some("浙江"));
        assert!(p.flag("all").unwrap());
        assert!(!p.flag("synonyms").unwrap());
        assert!(params(&[("year", "20x")]).filters().is_err());
        assert!(params(&[("all", "maybe")]).flag("all").is_err());
        assert!(params(&[("within", "page")]).within().is_err());
    }
}
