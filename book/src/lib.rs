//! The myelin book: chapters under `src/`.
