//! crimestats: the numeric core (`core`, pure Rust) and its Python binding (`py`).
pub mod core;
mod py;
