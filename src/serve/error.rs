//! API errors as JSON: `{"error": "...", "position": N}` (`position` only
//! for a bad query: the 0-based character where it goes wrong), with the
//! status that says whose fault it is: 400 a bad request, 404 an unknown
//! id or route, 500 anything else (logged on stderr).

use std::any::Any;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::engine;

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub position: Option<usize>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<usize>,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error: message.into(),
            position: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            error: message.into(),
            position: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: message.into(),
            position: None,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    /// The engine's typed errors are the client's fault; any other is ours.
    fn from(err: anyhow::Error) -> ApiError {
        match err.downcast_ref::<engine::Error>() {
            Some(engine::Error::BadQuery(q)) => ApiError {
                status: StatusCode::BAD_REQUEST,
                error: q.to_string(),
                position: Some(q.position),
            },
            Some(engine::Error::BadRequest(_) | engine::Error::UnknownTopic { .. }) => {
                ApiError::bad_request(err.to_string())
            }
            _ => {
                eprintln!("fazhi: serve: {err:#}");
                ApiError::internal(format!("{err:#}"))
            }
        }
    }
}

impl From<engine::Error> for ApiError {
    fn from(err: engine::Error) -> ApiError {
        ApiError::from(anyhow::Error::from(err))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: &self.error,
            position: self.position,
        };
        (self.status, Json(body)).into_response()
    }
}

/// The response to a handler that panicked: a 500 like any other error.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    eprintln!("fazhi: serve: a request panicked: {what}");
    ApiError::internal(format!("internal error: {what}")).into_response()
}
