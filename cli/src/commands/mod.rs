//! One module per subcommand.

pub mod check;
pub mod doctor;
pub mod export;
pub mod flow;
pub mod generate;
pub mod parse;
pub mod run;
pub mod serve;
