"""Loads an Airflow DAG file with stand-ins for the two Airflow classes it uses and prints what it
made as JSON, so that a test can check the DAG without an Airflow installation.

Usage: python3 inspect_dag.py DAG_FILE [AIRFLOW_RUN_ID ...]
The run ids are passed through every user-defined template filter of the DAG.
"""

import importlib.util
import json
import sys
import types

dags = []
tasks = []


class DAG:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        dags.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SparkSubmitOperator:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.upstream = []
        tasks.append(self)

    def set_upstream(self, others):
        others = others if isinstance(others, list) else [others]
        self.upstream.extend(other.kwargs["task_id"] for other in others)


def stand_in(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules[name] = module


stand_in("airflow", DAG=DAG)
for package in ["providers", "providers.apache", "providers.apache.spark", "providers.apache.spark.operators"]:
    stand_in("airflow." + package)
stand_in("airflow.providers.apache.spark.operators.spark_submit", SparkSubmitOperator=SparkSubmitOperator)

spec = importlib.util.spec_from_file_location("dag_under_test", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))

dag = dags[0].kwargs
filters = dag.get("user_defined_filters", {})
print(
    json.dumps(
        {
            "dag_id": dag["dag_id"],
            "retries": dag.get("default_args", {}).get("retries", 0),
            "filters": {name: {run: f(run) for run in sys.argv[2:]} for name, f in filters.items()},
            "tasks": [
                {
                    "task_id": task.kwargs["task_id"],
                    "java_class": task.kwargs.get("java_class"),
                    "application": task.kwargs.get("application"),
                    "conf": task.kwargs.get("conf", {}),
                    "application_args": task.kwargs.get("application_args", []),
                    "upstream": sorted(task.upstream),
                }
                for task in tasks
            ],
        }
    )
)
