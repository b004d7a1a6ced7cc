"""MkDocs hooks of the documentation site (named in ``mkdocs.yml``).

- The notebooks' pages: the executed copies that ``_notebooks.prepare`` makes on the demo
  world (outside the docs folder, in an ignored build folder) are added to the site as
  ``notebooks/<name>.ipynb``, for mkdocs-jupyter to render without executing them again.
- Generated parts of pages, so that they never fall behind the code: ``<!-- event kinds -->``
  becomes the table of event kinds, ``<!-- cli help: frame -->`` the ``--help`` text of
  ``cocframes frame`` (``<!-- cli help -->`` for ``cocframes`` itself), and
  ``<!-- readme section: Performance -->`` the README's section of that title (its figures
  are kept there), with its links to the repository's files made absolute.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from pathlib import Path

import _notebooks
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.cocframes")
CLI_HELP = re.compile(r"<!-- cli help(?:: ([a-z ]+))? -->")
EVENT_KINDS = "<!-- event kinds -->"
README_SECTION = re.compile(r"<!-- readme section: (.+?) -->")
#: A Markdown link to a path in the repository (not a URL, not an anchor).
RELATIVE_LINK = re.compile(r"\]\((?![a-z]+:|#)([^)]+)\)")
#: Width of the --help text on the CLI page (argparse reads it from $COLUMNS).
HELP_WIDTH = "88"


@event_priority(100)  # before mkdocs-jupyter turns the .ipynb files into pages
def on_files(files: Files, config) -> Files:
    """Add the executed notebooks to the site's files, executing the out-of-date ones first."""
    out = _notebooks.out_dir()
    for copy in _notebooks.prepare(out, log=log.info):
        # A File read from ``out`` (not a generated one): mkdocs-jupyter wraps it and finds
        # the notebook through its src_dir.
        files.append(File(f"notebooks/{copy.name}", src_dir=str(out),
                          dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Fill the generated parts of a page in."""
    if EVENT_KINDS in markdown:
        from cocframes.tracking.kinds import kinds_markdown

        markdown = markdown.replace(EVENT_KINDS, kinds_markdown())
    markdown = README_SECTION.sub(lambda m: _readme_section(m.group(1), config), markdown)
    return CLI_HELP.sub(lambda m: _cli_help(m.group(1) or ""), markdown)


def _readme_section(title: str, config) -> str:
    """Return the body of the README's ``## <title>`` section, links made absolute."""
    readme = (Path(config["config_file_path"]).parent / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n## {title}\n") + len(title) + 5
    end = readme.find("\n## ", start)
    body = readme[start:end if end >= 0 else None].strip()
    base = f"{config['repo_url'].rstrip('/')}/blob/HEAD/"
    return RELATIVE_LINK.sub(lambda m: f"]({base}{m.group(1)})", body)


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """Return the parser of subcommand ``name`` of ``parser``."""
    for action in parser._actions:  # argparse has no public way to reach its subparsers
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return action.choices[name]
    raise KeyError(f"cocframes has no command {name!r}")


def _cli_help(command: str) -> str:
    """Return the ``--help`` text of ``cocframes <command>`` as a fenced block."""
    from cocframes.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        parser = build_parser()
        for name in command.split():
            parser = _subcommand(parser, name)
        text = parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return f"```text\n{text.rstrip()}\n```"
