//! Integration tests of the `belvo` crate: one binary, one module per concern.

mod api_surface;
mod compile;
mod documented;
mod families;
mod faults;
mod flows;
mod groups;
mod messages;
mod pagination;
mod redirects;
mod samples;
mod sandbox;
mod seam;
mod security;
mod sessions;
mod stopped;
mod support;
