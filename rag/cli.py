"""The ``rag`` command: index, ask, chat — and subcommands other packages register (serve, eval)."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import entry_points
from typing import Any, Callable, Sequence

from rag import _env  # noqa: F401
from rag.errors import RagError
from rag.records import Answer, StreamEvent

__all__ = ["main", "build_parser", "common_options", "make_assistant", "index_with_progress"]


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand takes (also accepted before the subcommand)."""
    common = argparse.ArgumentParser(add_help=False)
    g = common.add_argument_group("corpus and index")
    g.add_argument("--corpus", metavar="DIR", default=argparse.SUPPRESS,
                   help="folder of .txt/.md files (default: $RAG_CORPUS or ./corpus)")
    g.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                   help="index directory (default: $RAG_HOME or .rag/ beside the corpus)")
    g.add_argument("--k", type=int, metavar="N", default=argparse.SUPPRESS,
                   help="passages retrieved per question (default 5)")
    g.add_argument("--chroma-url", metavar="URL", default=argparse.SUPPRESS,
                   help="keep the vectors on a Chroma server, e.g. http://127.0.0.1:8000 (default: $RAG_CHROMA_URL, "
                        "or in the index directory)")
    g = common.add_argument_group("answering")
    g.add_argument("--llm", metavar="SPEC", default=argparse.SUPPRESS,
                   help="none (extractive, default) | ollama:MODEL | openai:MODEL | gguf:PATH")
    g.add_argument("--llm-base-url", metavar="URL", default=argparse.SUPPRESS,
                   help="server URL for ollama:/openai: backends")
    g.add_argument("--keep-unsupported", action="store_true", default=argparse.SUPPRESS,
                   help="with --llm: keep generated sentences the verifier could not support, flagged")
    g.add_argument("--decision", choices=("rules", "rank", "gated", "both", "reader"), default=argparse.SUPPRESS,
                   help="who decides whether a sentence answers (default rules; docs/eval.md compares them)")
    g.add_argument("--reader", metavar="FILE", default=argparse.SUPPRESS,
                   help="the learned reader's model (default: the shipped rag/data/reader.json; none: no model)")
    return common


def make_assistant(args: argparse.Namespace):
    """The Assistant the common options describe."""
    from rag.assistant import Assistant
    from rag.settings import Settings

    return Assistant(settings=Settings.from_args(args))


def index_with_progress(assistant, *, rebuild: bool = False, quiet: bool = False, wait: bool = True):
    """Index with a progress bar on stderr; warn about files that were skipped.

    With ``wait`` False (what ``rag ask`` does), a read-only index or another process indexing right
    now is no reason to stop: the answer comes from the last committed index.
    """
    from tqdm import tqdm

    if not wait and assistant.read_only:
        return None
    bar = None

    def progress(done: int, total: int, label: str) -> None:
        nonlocal bar
        if quiet or total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, unit="file", desc="indexing", file=sys.stderr, leave=False,
                       disable=None if not os.environ.get("RAG_PROGRESS") else False)
        bar.set_postfix_str(label[-40:], refresh=False)
        bar.n = done
        bar.refresh()

    try:
        report = assistant.index(progress, rebuild=rebuild, wait=False)
        if report is None and wait:
            if not quiet:
                print(f"waiting for another process that is indexing {assistant.home} …", file=sys.stderr)
            report = assistant.index(progress, rebuild=rebuild, wait=True)
    finally:
        if bar is not None:
            bar.close()
    if report is None:
        if not quiet:
            print("note: another process is indexing; answering from the last committed index", file=sys.stderr)
        return None
    for skipped in report.skipped:
        print(f"warning: skipped {skipped.reason}", file=sys.stderr)
    return report


def _print_stream(events: Sequence[StreamEvent] | Any) -> Answer:
    answer = None
    for event in events:
        if event.answer is not None:
            answer = event.answer
        elif event.delta:
            sys.stdout.write(event.delta)
            sys.stdout.flush()
    if answer is None:
        raise RagError("no answer was produced")
    sys.stdout.write("\n")
    refs = answer.format_refs()
    if refs:
        print(refs)
    return answer


def cmd_index(args: argparse.Namespace) -> int:
    assistant = make_assistant(args)
    report = index_with_progress(assistant, rebuild=args.rebuild)
    for note in report.notes:
        print(note)
    print(report.summary())
    return 1 if report.skipped else 0


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = make_assistant(args)
    question = assistant.check_question(args.question)
    index_with_progress(assistant, quiet=args.json, wait=False)
    if args.json:
        print(assistant.ask(question).to_json(indent=2))
    else:
        _print_stream(assistant.stream(question))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    assistant = make_assistant(args)
    index_with_progress(assistant, wait=False)
    chat = assistant.chat()
    try:
        import readline  # noqa: F401  (line editing and history in the REPL)
    except ImportError:  # pragma: no cover - not on every platform
        pass
    print(assistant.status().line())
    print("Ask a question; /new starts a new chat, /quit leaves. Follow-up questions use the chat history.")
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            return 0
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            return 0
        if line in ("/new", "/reset"):
            chat.reset()
            print("(new chat)")
            continue
        if line in ("/help", "/?"):
            print("/new  forget the history   /quit  leave")
            continue
        try:
            _print_stream(chat.stream(line))
        except RagError as exc:
            print(f"error: {exc}")
        print()


def _plugins() -> list[Callable[..., None]]:
    found = []
    for ep in entry_points(group="rag.commands"):
        try:
            found.append(ep.load())
        except Exception as exc:  # a broken plugin must not break index/ask/chat
            print(f"warning: command {ep.name!r} unavailable ({type(exc).__name__}: {exc})", file=sys.stderr)
    return found


def build_parser(with_plugins: bool = True) -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="rag", parents=[common],
        description="Ask questions of a folder of documents; every answer sentence is cited, or it abstains.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("index", parents=[common], help="index the corpus (only changed files are embedded)")
    p.add_argument("--rebuild", action="store_true",
                   help="set the current index directory aside and build a new one")
    p.set_defaults(func=cmd_index)
    p = sub.add_parser("ask", parents=[common], help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("chat", parents=[common], help="a terminal chat with history")
    p.set_defaults(func=cmd_chat)
    if with_plugins:
        for register in _plugins():
            register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rag ask … | head -3`: the reader left; nothing to say, nothing went wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except Exception as exc:  # a bug, not a user error: still one line unless asked for more
        if os.environ.get("RAG_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set RAG_DEBUG=1 for the traceback)", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
