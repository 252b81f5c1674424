//! `fazhi index`: build or update the index from the corpus.

use std::io::Write;
use std::path::Path;

use clap::Args;

use super::{Global, Outcome};
use crate::engine::print_metadata_warnings;
use crate::index::{BuildOptions, IndexError, build};
use crate::report::inputs::ParseInputs;
use crate::reuse::Spill;
use crate::topics::Taxonomy;

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Re-index every file (also replaces an index made by another fazhi version).
    #[arg(long)]
    pub rebuild: bool,
    /// Print nothing but warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Check the index files against their checksums and report damaged
    /// ones (exit 2), instead of indexing; writes nothing.
    #[arg(long, conflicts_with = "rebuild")]
    pub verify: bool,
}

pub fn run(args: IndexArgs, global: &Global) -> anyhow::Result<Outcome> {
    // Writes, not println!: a closed pipe (`| head`) is an error to end on quietly, not a panic.
    let mut out = std::io::stdout().lock();
    if args.verify {
        return verify(&global.index, args.quiet, &mut out);
    }
    let taxonomy = Taxonomy::load_for_corpus(&global.corpus, global.taxonomy.as_deref())?;
    let (inputs, warnings) =
        ParseInputs::load_for_corpus(&global.corpus, global.metadata.as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
    print_metadata_warnings(&warnings);
    // Text reuse is kept beside the index (crate::reuse): the build's
    // workers fingerprint each file they parse, the update after the
    // commit derives the rest.
    let spill = Spill::new(&global.index);
    let summary = build(&BuildOptions {
        corpus: global.corpus.clone(),
        index_dir: global.index.clone(),
        rebuild: args.rebuild,
        progress: !args.quiet,
        taxonomy,
        inputs,
        on_text: Some(&|file| spill.add(file)),
    });
    let spilled = spill.finish();
    let summary = summary?;
    if let Err(e) = spilled {
        eprintln!("fazhi: warning: {e:#}");
    }
    summary.print_warnings();
    if !args.quiet {
        writeln!(out, "{}", summary.describe())?;
    }
    let reuse = crate::reuse::update(&global.index, &global.corpus)?;
    if !args.quiet && reuse.changed {
        writeln!(out, "{}", reuse.describe())?;
    }
    Ok(Outcome::Done)
}

/// `fazhi index --verify`: one line per damaged file on stderr, exit 2 if
/// any; else `index at DIR is intact (N files checked)` unless quiet.
fn verify(dir: &Path, quiet: bool, out: &mut impl Write) -> anyhow::Result<Outcome> {
    if !crate::index::exists(dir) {
        return Err(IndexError::Missing {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    let report = crate::index::verify(dir)?;
    for damage in &report.damaged {
        eprintln!(
            "fazhi: damaged index file {}: {}",
            damage.path.display(),
            damage.problem
        );
    }
    if !report.damaged.is_empty() {
        eprintln!(
            "fazhi: the index at {} is damaged ({} of {} files); run `fazhi index --rebuild`",
            dir.display(),
            report.damaged.len(),
            report.checked
        );
        return Ok(Outcome::Incomplete);
    }
    if !quiet {
        writeln!(
            out,
            "index at {} is intact ({} files checked)",
            dir.display(),
            report.checked
        )?;
    }
    Ok(Outcome::Done)
}
