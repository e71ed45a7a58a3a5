//! Pure numerics: no Python types and no binding code. Each module states what it guarantees.
pub mod binomial;
pub mod changes;
pub mod check;
pub mod error;
pub mod groups;
pub mod parallel;
pub mod poisson;
pub mod reliability;
#[cfg(test)]
mod properties;
pub mod smoothing;
pub mod special;
pub mod standardise;
pub mod survey;
pub mod weighted;
#[cfg(test)]
mod testing;
