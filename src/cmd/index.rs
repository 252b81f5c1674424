//! `fazhi index`: build or update the index from the corpus.

use std::io::Write;

use clap::Args;

use super::{Global, Outcome};
use crate::engine::print_metadata_warnings;
use crate::index::{BuildOptions, build};
use crate::report::inputs::ParseInputs;
use crate::topics::Taxonomy;

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Re-index every file (also replaces an index made by another fazhi version).
    #[arg(long)]
    pub rebuild: bool,
    /// Print nothing but warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: IndexArgs, global: &Global) -> anyhow::Result<Outcome> {
    // Writes, not println!: a closed pipe (`| head`) is an error to end on quietly, not a panic.
    let mut out = std::io::stdout().lock();
    let taxonomy = Taxonomy::load_for_corpus(&global.corpus, global.taxonomy.as_deref())?;
    let (inputs, warnings) =
        ParseInputs::load_for_corpus(&global.corpus, global.metadata.as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
    print_metadata_warnings(&warnings);
    let summary = build(&BuildOptions {
        corpus: global.corpus.clone(),
        index_dir: global.index.clone(),
        rebuild: args.rebuild,
        progress: !args.quiet,
        taxonomy,
        inputs,
    })?;
    summary.print_warnings();
    if !args.quiet {
        writeln!(out, "{}", summary.describe())?;
    }
    // Text reuse is kept beside the index, after its commit (crate::reuse).
    let reuse = crate::reuse::update(&global.index, &global.corpus)?;
    if !args.quiet && reuse.changed {
        writeln!(out, "{}", reuse.describe())?;
    }
    Ok(Outcome::Done)
}
