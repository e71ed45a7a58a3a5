//! Pure numerics: no Python types and no binding code. Each module states what it guarantees.
pub mod adjust;
pub mod binomial;
pub mod changes;
pub mod check;
pub mod error;
pub mod funnel;
pub mod groups;
pub mod parallel;
pub mod poisson;
#[cfg(test)]
mod properties;
pub mod reliability;
pub mod smoothing;
pub mod special;
pub mod standardise;
pub mod survey;
#[cfg(test)]
mod testing;
pub mod trend;
pub mod weighted;
