use std::process::ExitCode;

fn main() -> ExitCode {
    tweets::cli::main()
}
