//! The algorithm charts with known outputs: generated notebooks, direct runs of the chart and
//! generated scripts all print the expected lines.

use crate::support::{Workspace, parse_fixture};

/// One set of inputs and what the flow prints for them.
struct Case {
    /// `NAME=VALUE` pairs for `--set`.
    inputs: &'static [&'static str],
    /// The same values, one per line, as the script reads them from stdin.
    stdin: &'static str,
    /// The exact stdout lines.
    expected: &'static [&'static str],
}

const FIZZBUZZ_15: &[&str] = &[
    "1", "2", "Fizz", "4", "Buzz", "Fizz", "7", "8", "Fizz", "Buzz", "11", "Fizz", "13", "14",
    "FizzBuzz",
];

/// Generates the chart's notebook and script, runs every case through both, and runs the
/// first case through the chart itself.
fn check_algorithm(chart: &str, cases: &[Case]) {
    let work = Workspace::new();
    let flow = work.copy(
        &parse_fixture(&format!("algorithms/{chart}.mmd")),
        "flow.mmd",
    );

    let generated = work.hexa(&["generate", flow, "-o", "notebook.py"]);
    assert_eq!(generated.code, Some(0), "generate notebook: {generated}");
    let checked = work.hexa(&["check", "notebook.py"]);
    assert_eq!(checked.code, Some(0), "check notebook: {checked}");
    assert_eq!(
        checked.stdout, "",
        "check notebook reports findings: {checked}"
    );

    let scripted = work.hexa(&["generate", flow, "--script", "-o", "script.py"]);
    assert_eq!(scripted.code, Some(0), "generate script: {scripted}");

    // Running the chart itself costs as much as running the notebook, so only the first
    // case takes that path.
    let first = &cases[0];
    work.copy(&work.path(flow), "direct/flow.mmd");
    let mut args = vec!["run", "direct/flow.mmd"];
    args.extend(first.inputs.iter().flat_map(|pair| ["--set", pair]));
    let run = work.hexa(&args);
    assert_eq!(run.code, Some(0), "{chart}: run chart: {run}");
    assert_eq!(run.lines(), first.expected, "{chart}: run chart: {run}");
    assert_eq!(
        work.files("direct"),
        ["flow.mmd"],
        "{chart}: run chart wrote a file"
    );

    for case in cases {
        let sets = set_args(case.inputs);
        let label = format!("{chart} with {:?}", case.inputs);

        let mut args = vec!["run", "notebook.py"];
        args.extend(sets.iter().map(String::as_str));
        let run = work.hexa(&args);
        assert_eq!(run.code, Some(0), "{label}: run notebook: {run}");
        assert_eq!(run.lines(), case.expected, "{label}: run notebook: {run}");

        let script = work.python(&["script.py"], case.stdin);
        assert_eq!(script.code, Some(0), "{label}: script: {script}");
        let names: Vec<&str> = case.inputs.iter().map(|s| input_name(s)).collect();
        assert_eq!(
            without_prompts(&script.stdout, &names),
            case.expected,
            "{label}: script: {script}"
        );
    }
}

fn set_args(inputs: &[&str]) -> Vec<String> {
    inputs.iter().map(|pair| format!("--set={pair}")).collect()
}

fn input_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name)
}

/// Removes the `NAME: ` prompts that `input()` writes to stdout before each value it reads.
fn without_prompts(stdout: &str, names: &[&str]) -> Vec<String> {
    let prompts: Vec<String> = names.iter().map(|name| format!("{name}: ")).collect();
    let mut lines = Vec::new();
    for line in stdout.lines() {
        let mut rest = line;
        while let Some(stripped) = prompts.iter().find_map(|p| rest.strip_prefix(p.as_str())) {
            rest = stripped;
        }
        // A prompt with nothing printed after it is not a line of output.
        if !(rest.is_empty() && line != rest) {
            lines.push(rest.to_string());
        }
    }
    lines
}

#[test]
fn fizzbuzz_prints() {
    check_algorithm(
        "001-fizzbuzz",
        &[
            Case {
                inputs: &["n=15"],
                stdin: "15\n",
                expected: FIZZBUZZ_15,
            },
            Case {
                inputs: &["n=0"],
                stdin: "0\n",
                expected: &[],
            },
        ],
    );
}

#[test]
fn gcd_prints() {
    check_algorithm(
        "002-gcd",
        &[
            Case {
                inputs: &["a=48", "b=18"],
                stdin: "48\n18\n",
                expected: &["6"],
            },
            Case {
                inputs: &["a=17", "b=5"],
                stdin: "17\n5\n",
                expected: &["1"],
            },
            Case {
                inputs: &["a=7", "b=0"],
                stdin: "7\n0\n",
                expected: &["7"],
            },
        ],
    );
}

#[test]
fn binary_search_prints() {
    check_algorithm(
        "003-binary-search",
        &[
            Case {
                inputs: &["arr=[1, 3, 5, 7, 9, 11]", "target=7"],
                stdin: "[1, 3, 5, 7, 9, 11]\n7\n",
                expected: &["3"],
            },
            Case {
                inputs: &["arr=[1, 3, 5, 7, 9, 11]", "target=4"],
                stdin: "[1, 3, 5, 7, 9, 11]\n4\n",
                expected: &["-1"],
            },
        ],
    );
}

#[test]
fn bubble_sort_prints() {
    check_algorithm(
        "004-bubble-sort",
        &[
            Case {
                inputs: &["a=[5, 1, 4, 2, 8]"],
                stdin: "[5, 1, 4, 2, 8]\n",
                expected: &["[1, 2, 4, 5, 8]"],
            },
            Case {
                inputs: &["a=[]"],
                stdin: "[]\n",
                expected: &["[]"],
            },
        ],
    );
}

#[test]
fn factorial_prints() {
    check_algorithm(
        "005-factorial",
        &[
            Case {
                inputs: &["n=5"],
                stdin: "5\n",
                expected: &["120"],
            },
            Case {
                inputs: &["n=0"],
                stdin: "0\n",
                expected: &["1"],
            },
            Case {
                inputs: &["n=10"],
                stdin: "10\n",
                expected: &["3628800"],
            },
        ],
    );
}

#[test]
fn prime_check_prints() {
    let case = |n: &'static [&'static str], stdin, verdict| Case {
        inputs: n,
        stdin,
        expected: verdict,
    };
    check_algorithm(
        "006-prime-check",
        &[
            case(&["n=7"], "7\n", &["prime"]),
            case(&["n=9"], "9\n", &["not prime"]),
            case(&["n=1"], "1\n", &["not prime"]),
            case(&["n=2"], "2\n", &["prime"]),
        ],
    );
}

#[test]
fn guessing_game_prints() {
    check_algorithm(
        "007-guessing-game",
        &[
            Case {
                inputs: &["guess=[50, 30, 42]"],
                stdin: "50\n30\n42\n",
                expected: &["Too high", "Too low", "Correct! 3"],
            },
            Case {
                inputs: &["guess=[42]"],
                stdin: "42\n",
                expected: &["Correct! 1"],
            },
        ],
    );
}

#[test]
fn temperature_prints() {
    check_algorithm(
        "008-temperature",
        &[
            Case {
                inputs: &["celsius=100"],
                stdin: "100\n",
                expected: &["hot", "212.0"],
            },
            Case {
                inputs: &["celsius=0"],
                stdin: "0\n",
                expected: &["cold", "32.0"],
            },
            Case {
                inputs: &["celsius=20"],
                stdin: "20\n",
                expected: &["mild", "68.0"],
            },
        ],
    );
}

#[test]
fn while_break_prints() {
    check_algorithm(
        "009-while-break",
        &[
            Case {
                inputs: &["x=[3, 4, 5, -1]"],
                stdin: "3\n4\n5\n-1\n",
                expected: &["12"],
            },
            Case {
                inputs: &["x=[-1]"],
                stdin: "-1\n",
                expected: &["0"],
            },
        ],
    );
}

#[test]
fn nested_if_prints() {
    let case = |score: &'static [&'static str], stdin, grade| Case {
        inputs: score,
        stdin,
        expected: grade,
    };
    check_algorithm(
        "010-nested-if",
        &[
            case(&["score=95"], "95\n", &["A"]),
            case(&["score=85"], "85\n", &["B"]),
            case(&["score=70"], "70\n", &["C"]),
            case(&["score=10"], "10\n", &["F"]),
        ],
    );
}

#[test]
fn script_presets_skip_stdin() {
    let work = Workspace::new();
    let flow = work.copy(&parse_fixture("algorithms/001-fizzbuzz.mmd"), "flow.mmd");
    let generated = work.hexa(&["generate", flow, "--script", "--set", "n=15", "-o", "s.py"]);
    assert_eq!(generated.code, Some(0), "{generated}");

    let script = work.python(&["s.py"], "");
    assert_eq!(script.code, Some(0), "{script}");
    assert_eq!(script.lines(), FIZZBUZZ_15, "{script}");
}
