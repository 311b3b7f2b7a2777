//! Integration tests of the `belvo` crate: one binary, one module per concern.

mod api_surface;
mod compile;
mod faults;
mod flows;
mod samples;
mod sandbox;
mod seam;
mod security;
mod support;
