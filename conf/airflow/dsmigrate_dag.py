"""An Airflow DAG that runs a dsmigrate plan: one spark-submit task per plan partition, wave by wave.

The tasks of a wave start once every task of the wave before it succeeded: the pilot wave first,
then the later waves. A pilot that does not pass (exit 1) or a wave stopped by the error threshold
(exit 3) fails its task, and the later waves do not run (upstream_failed). A later partition run by
hand checks the pilot itself, and holds its datasets back (NOT_STARTED) unless it passed.

What it needs:
  * the provider apache-airflow-providers-apache-spark, and a Spark connection (DSMIGRATE_SPARK_CONN,
    default "spark_default") whose host is the master (spark://HOST:PORT, yarn, k8s://...) and whose
    deploy mode is client, so that the job's exit code reaches the task;
  * the plan, written by `dsmigrate plan --specs ... --partitions N --out plan.json`, at
    DSMIGRATE_PLAN; the scheduler reads it to make the tasks, and each driver reads it again;
  * the job jar dsmigrate-job-<version>-spark.jar at DSMIGRATE_JOB_JAR, and optionally a dsmigrate
    settings file (e.g. conf/cluster.conf, with the shared metastore) at DSMIGRATE_CONF.

Exit codes of a task's spark-submit, the job's own:
  0  every dataset of the partition is done: migrated and validated, or skipped because an
     earlier try already did it;
  1  some datasets failed and the others are done; a retry runs only the ones not done;
  2  bad input (plan, settings, arguments): nothing was migrated, and a retry fails the same way
     until the input is fixed;
  3  stopped by the error threshold: the wave was rolled back; read the results table
     (dsmigrate status --run ID) before clearing the task.
  4  paused (dsmigrate pause --run ID): the datasets in flight finished, the rest were not
     started; retries stay paused until `dsmigrate resume --run ID`, then clear the task.
Any code but 0 fails the task, and Airflow retries it. Every try of every task of one DAG run
passes the same --run-id, made from the DAG run's id, so a retry or a cleared task resumes that
run: datasets that succeeded are skipped, never migrated twice.
"""

import json
import os
import re
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

PLAN = os.environ.get("DSMIGRATE_PLAN", "/opt/dsmigrate/plan.json")
JOB_JAR = os.environ.get("DSMIGRATE_JOB_JAR", "/opt/dsmigrate/dsmigrate-job-spark.jar")
SETTINGS = os.environ.get("DSMIGRATE_CONF", "")
SPARK_CONN = os.environ.get("DSMIGRATE_SPARK_CONN", "spark_default")

MAIN_CLASS = "io.dsmigrate.job.MigrationJobMain"

# The JVM flags Spark needs on Java 17, for the driver and the executors (the build's
# spark.jvm.flags; a test keeps the two lists the same).
JAVA_17_FLAGS = " ".join(
    [
        "-XX:+IgnoreUnrecognizedVMOptions",
        "--add-modules=jdk.incubator.vector",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
        "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
        "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
        "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
        "-Djdk.reflect.useDirectMethodHandle=false",
        "-Dio.netty.tryReflectionSetAccessible=true",
    ]
)


def plan_waves(plan_file):
    """The partition indexes of a plan written by `dsmigrate plan`, wave by wave, in the order
    the waves run (wave 0 is the pilot)."""
    with open(plan_file, encoding="utf-8") as plan:
        partitions = json.load(plan)["partitions"]
    waves = {}
    for partition in partitions:
        waves.setdefault(partition.get("wave", 0), []).append(partition["index"])
    return [waves[wave] for wave in sorted(waves)]


def dsmigrate_run_id(airflow_run_id):
    """The dsmigrate run id of a DAG run: the same for every try of its tasks, and made only of
    characters that are safe in the paths the job makes from it (snapshots)."""
    return "airflow-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", airflow_run_id).strip("-")


def job_arguments(plan_file, partition, run_id, settings_file):
    """The arguments of io.dsmigrate.job.MigrationJobMain for one partition."""
    arguments = ["--plan", plan_file, "--partition", str(partition), "--run-id", run_id]
    if settings_file:
        arguments += ["--conf", settings_file]
    return arguments


with DAG(
    dag_id="dsmigrate",
    description="Migrates the datasets of a dsmigrate plan, one Spark application per partition",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    user_defined_filters={"dsmigrate_run_id": dsmigrate_run_id},
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    tags=["dsmigrate"],
) as dag:
    earlier_wave = []
    for wave in plan_waves(PLAN):
        this_wave = []
        for index in wave:
            task = SparkSubmitOperator(
                task_id=f"partition_{index}",
                conn_id=SPARK_CONN,
                application=JOB_JAR,
                java_class=MAIN_CLASS,
                name=f"dsmigrate-partition-{index}",
                conf={
                    "spark.driver.extraJavaOptions": JAVA_17_FLAGS,
                    "spark.executor.extraJavaOptions": JAVA_17_FLAGS,
                },
                application_args=job_arguments(
                    PLAN, index, "{{ run_id | dsmigrate_run_id }}", SETTINGS
                ),
            )
            if earlier_wave:
                task.set_upstream(earlier_wave)
            this_wave.append(task)
        earlier_wave = this_wave
