"""`designkit study new|run`, `designkit publish`, `designkit serve`."""

from __future__ import annotations

import argparse
from pathlib import Path

from designkit.commands import action
from designkit.study.spec import Study

VOILA_PORT = 8866  # where `designkit app` and `designkit serve` listen unless told otherwise
STUDY = "a study folder (with study.json) or a study.json"  # what `Study.load` and `_folder` accept


def _folder(study: str) -> Path:
    """The study's folder, whether `study` names the folder or its study.json."""
    path = Path(study)
    return path if path.is_dir() else path.parent


def _run(args: argparse.Namespace) -> int:
    from designkit.study.runner import run

    study = Study.load(args.study)
    results = run(study, executor=args.executor, workers=args.workers, cache=not args.no_cache)
    out = Path(args.out) if args.out else _folder(args.study) / "results.parquet"
    results.save(out)
    summary = results.summary()
    table = summary.assign(cell=[f"{m:.3f} [{lo:.3f}, {hi:.3f}]"
                                 for m, lo, hi in zip(summary["mean"], summary["low"], summary["high"], strict=True)])
    print(table.pivot_table(index=["quality", "policy"], columns="metric", values="cell", aggfunc="first",
                            sort=False).to_string())
    print(f"{len(results.frame)} rows ({results.computed} cells computed, the rest cached) -> {out}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from designkit.study.new import new_study

    folder = new_study(args.name, force=args.force)
    print(f"study:    {folder / 'study.json'}")
    print(f"notebook: {folder / (folder.name + '.ipynb')}")
    print(f"edit it by clicking: in JupyterLab open {folder / (folder.name + '.ipynb')} and run its cells: the study"
          " editor adds and renames conditions, moves knobs, runs, publishes and serves the study"
          " (or open notebooks/06-edit-a-study.ipynb and pick it)")
    print(f"or in a terminal: designkit study run {folder} && designkit publish {folder} && designkit serve {folder}")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from designkit.study.people.storage import PeopleStore

    study = Study.load(args.study)
    if study.people is None:
        print(f"{args.study}: this study has no sessions with people")
        return 1
    removed = PeopleStore(_folder(args.study), study.people).forget(args.participant)
    for path in removed:
        print(f"removed: {path}")
    print(f"{args.participant}: forgotten" if removed else f"{args.participant}: nothing kept under this id")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from designkit.study.publish import publish

    done = publish(args.study, out=args.out, run_notebook=not args.no_execute)
    print(f"app:    {done.notebook}  (serve: designkit serve {done.folder})")
    print(f"report: {done.report}")
    print(f"audit:  {done.audit}")
    return 0


def _app(args: argparse.Namespace) -> int:
    import subprocess

    from designkit.study.publish import app_command

    cmd, env, cwd = app_command(args.notebook, port=args.port)
    print(f"serving {args.notebook} as an app on http://127.0.0.1:{args.port} (Ctrl-C stops it)")
    return subprocess.call(cmd, env=env, cwd=cwd)


def _serve(args: argparse.Namespace) -> int:
    from designkit.study.publish import serve

    return serve(args.study, port=args.port, publish_first=args.publish)


def _study_argument(parser: argparse.ArgumentParser, accepts: str = STUDY) -> None:
    """The STUDY positional of every study action; `accepts` says what this action takes as one."""
    parser.add_argument("study", help=accepts)


def _voila_port(parser: argparse.ArgumentParser) -> None:
    """`--port` of the actions that serve with Voilà, all on VOILA_PORT unless told otherwise."""
    parser.add_argument("--port", type=int, default=VOILA_PORT, help=f"port on 127.0.0.1 (default: {VOILA_PORT})")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("study", help="run a study (scenarios x policies x metrics)",
                       description="Studies: scenario sets x policy variants x metrics, cached and resumable.")
    actions = p.add_subparsers(dest="study_command", metavar="ACTION", required=True)
    new = action(actions, "new", _new, help="a new study folder from a generic notebook",
                 description="Create NAME/study.json (a small starter study) and NAME/NAME.ipynb, "
                             "a notebook that renders any study.json.")
    new.add_argument("name", help="the study folder to create (its name is the study's name)")
    new.add_argument("--force", action="store_true", help="overwrite an existing study.json and notebook")
    run = action(actions, "run", _run, help="run a study.json", description="Run every cell not yet cached.")
    _study_argument(run)
    run.add_argument("--executor", choices=["local", "dask"], default="local",
                     help="local processes (default) or a Dask LocalCluster")
    run.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    run.add_argument("--out", default=None, help="results Parquet (default: <study>/results.parquet)")
    run.add_argument("--no-cache", action="store_true", help="compute every cell again")
    forget = action(actions, "forget", _forget, help="delete everything kept about one participant",
                    description="Remove PARTICIPANT's folder, their place in the order, their rows of "
                                "people.parquet, and the same in the published app.")
    _study_argument(forget, f"{STUDY}, with a 'people' section")
    forget.add_argument("participant", help="the participant's pseudonymous id, e.g. P07")

    pub = action(sub, "publish", _publish, help="publish a study as a Voilà app, an HTML report and an audit",
                 description="Write <study>/published/: the Voilà app, report.html, audit.json.")
    _study_argument(pub, "a study folder, e.g. studies/quiet-modes")
    pub.add_argument("--out", default=None, help="where to write (default: <study>/published)")
    pub.add_argument("--no-execute", action="store_true", help="skip running the notebook (no report.html)")

    app = action(sub, "app", _app, help="serve a notebook as an app (Voilà, 127.0.0.1)",
                 description="Serve one notebook with Voilà and designkit's template: no code, cells "
                             "tagged notebook-only hidden, the privacy line at the bottom.")
    app.add_argument("notebook", help="a notebook, e.g. notebooks/01-live-microturns.ipynb")
    _voila_port(app)

    serve = action(sub, "serve", _serve, help="serve a published study with Voilà on 127.0.0.1",
                   description="Start Voilà on 127.0.0.1 for a published study (Ctrl-C stops it).")
    _study_argument(serve, "a study folder or its published/ folder")
    _voila_port(serve)
    serve.add_argument("--publish", action="store_true", help="publish again before serving")
