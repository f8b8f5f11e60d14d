//! `import-cycles CRATE_SRC_DIR...`: prints every import circle between the source files of
//! each crate, with where each file names the next, and exits 1 when there is one (2 when a
//! file cannot be read as Rust).

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: import-cycles CRATE_SRC_DIR...");
        return ExitCode::from(2);
    }
    let mut found = 0;
    for root in &roots {
        let graph = match import_cycles::graph(root) {
            Ok(graph) => graph,
            Err(err) => {
                eprintln!("import-cycles: {err}");
                return ExitCode::from(2);
            }
        };
        let edges: usize = graph.edges.values().map(|e| e.len()).sum();
        let circles = import_cycles::circles(&graph);
        println!(
            "import-cycles: {}: {} files, {} namings, {} circles",
            root.display(),
            graph.files.len(),
            edges,
            circles.len()
        );
        for circle in &circles {
            found += 1;
            let name = |m| import_cycles::file_name(&graph, root, m);
            let files: Vec<String> = circle.iter().map(name).collect();
            println!("  circle of {} files: {}", files.len(), files.join(", "));
            let round = import_cycles::round(&graph, circle);
            for pair in round.windows(2) {
                let naming = &graph.edges[&pair[0]][&pair[1]];
                println!(
                    "    {}:{} names {} ({})",
                    name(&pair[0]),
                    naming.line,
                    name(&pair[1]),
                    naming.path
                );
            }
        }
    }
    if found > 0 {
        eprintln!("import-cycles: {found} circle(s) between source files");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
