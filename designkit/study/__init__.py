"""Studies: scenario sets x policy variants x metrics, run in parallel, charted, published.

    from designkit.study import Study, ScenarioSet, run, charts
    study = Study.load("studies/quiet-modes/study.json")
    results = run(study)              # cached, resumable; executor="dask" for a cluster
    charts.tradeoff(results.summary())
"""

from designkit.study import charts
from designkit.study.explorer import Explorer
from designkit.study.runner import Results, run
from designkit.study.spec import METRICS, ScenarioSet, Study

__all__ = ["METRICS", "Explorer", "Results", "ScenarioSet", "Study", "charts", "run"]
