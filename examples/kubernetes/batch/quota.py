"""Two teams share 64 GPUs: a small model of how Kueue admits, lends and preempts.

It reads the ClusterQueues and WorkloadPriorityClasses of this folder (the manifests the page
shows) and plays a timeline of workloads through them, then shows why a job's Pods must start
together. A model of Kueue's documented rules (classic preemption), not Kueue itself: it counts
GPUs only, admits at once (Kueue waits for the victims to stop), and orders each queue by
priority, then by creation time.

    python examples/kubernetes/batch/quota.py
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
GPU = "nvidia.com/gpu"


@dataclass
class Queue:
    name: str
    cohort: str | None
    nominal: int
    borrowing_limit: int | None  # None: may borrow whatever the cohort lends
    lending_limit: int | None  # None: lends all of its unused nominal quota
    reclaim: str  # preemption.reclaimWithinCohort
    within: str  # preemption.withinClusterQueue
    strict_fifo: bool

    @property
    def guaranteed(self) -> int:
        """The part of the nominal quota no other queue can ever use."""
        return self.nominal - self.lendable

    @property
    def lendable(self) -> int:
        return self.nominal if self.lending_limit is None else self.lending_limit


@dataclass
class Workload:
    name: str
    queue: str
    gpus: int
    priority: str
    created: int
    admitted: int | None = None  # the step it was admitted at; None while pending
    done: bool = False


def load_queues(path: Path = HERE / "clusterqueues.yaml") -> dict[str, Queue]:
    queues = {}
    for doc in yaml.safe_load_all(path.read_text()):
        spec = doc["spec"]
        (gpu,) = [
            resource
            for group in spec["resourceGroups"]
            for flavor in group["flavors"]
            for resource in flavor["resources"]
            if resource["name"] == GPU
        ]
        preemption = spec.get("preemption") or {}
        queues[doc["metadata"]["name"]] = Queue(
            name=doc["metadata"]["name"],
            cohort=spec.get("cohortName"),
            nominal=int(gpu["nominalQuota"]),
            borrowing_limit=gpu.get("borrowingLimit"),
            lending_limit=gpu.get("lendingLimit"),
            reclaim=preemption.get("reclaimWithinCohort", "Never"),
            within=preemption.get("withinClusterQueue", "Never"),
            strict_fifo=spec.get("queueingStrategy") == "StrictFIFO",
        )
    return queues


def load_priorities(path: Path = HERE / "priorityclasses.yaml") -> dict[str, int]:
    return {d["metadata"]["name"]: d["value"] for d in yaml.safe_load_all(path.read_text())}


class Cluster:
    def __init__(self, queues: dict[str, Queue], priorities: dict[str, int]):
        self.queues, self.priorities = queues, priorities
        self.workloads: list[Workload] = []
        self.step = 0
        self.log: list[str] = []

    # ------------------------------------------------------------ usage

    def admitted(self) -> list[Workload]:
        return [w for w in self.workloads if w.admitted is not None and not w.done]

    def used(self, queue: str, without: tuple[Workload, ...] = ()) -> int:
        return sum(w.gpus for w in self.admitted() if w.queue == queue and w not in without)

    def borrowed(self, queue: str, without: tuple[Workload, ...] = ()) -> int:
        return max(0, self.used(queue, without) - self.queues[queue].nominal)

    def cohort_of(self, queue: Queue) -> list[Queue]:
        if queue.cohort is None:
            return [queue]
        return [q for q in self.queues.values() if q.cohort == queue.cohort]

    # --8<-- [start:fits]
    def fits(self, w: Workload, without=(), borrow=True) -> bool:
        """Would `w` fit if the workloads `without` were gone?"""
        queue = self.queues[w.queue]
        mine = self.used(queue.name, without) + w.gpus
        limit = queue.nominal
        if borrow and queue.cohort is not None:
            no_limit = queue.borrowing_limit is None
            limit += 10**9 if no_limit else queue.borrowing_limit
        if mine > limit:  # over its quota plus what it may borrow
            return False
        # The cohort's pool is what its queues lend. A queue draws on it
        # above the part of its quota it keeps (nominal - lendingLimit).
        peers = self.cohort_of(queue)
        drawn = 0
        for q in peers:
            used = mine if q is queue else self.used(q.name, without)
            drawn += max(0, used - q.guaranteed)
        return drawn <= sum(q.lendable for q in peers)

    # --8<-- [end:fits]

    # --8<-- [start:preempt]
    def victims(self, w: Workload) -> list[Workload] | None:
        """Classic preemption: whom to evict so that `w` fits, or None."""
        queue, rank = self.queues[w.queue], self.priorities[w.priority]
        if w.gpus > queue.nominal:  # only within its nominal quota
            return None
        candidates = []
        for v in self.admitted():
            lower = self.priorities[v.priority] < rank
            mine = v.queue == w.queue
            if mine and queue.within == "LowerPriority" and lower:
                candidates.append(v)
            policy = queue.reclaim
            reclaim = policy == "Any" or (policy == "LowerPriority" and lower)
            peer = self.queues[v.queue].cohort == queue.cohort
            if not mine and peer and reclaim and self.borrowed(v.queue):
                candidates.append(v)
        # Borrowers' workloads first, then the lowest priority, the newest.
        candidates.sort(
            key=lambda v: (
                v.queue == w.queue,
                self.priorities[v.priority],
                -(v.admitted or 0),
            )
        )
        if all(v.queue == w.queue for v in candidates):
            borrow = True
        elif self.used(w.queue) + w.gpus <= queue.nominal:
            borrow = False  # reclaiming its quota: no borrowing meanwhile
        else:
            candidates = [v for v in candidates if v.queue == w.queue]
            borrow = True
        targets: list[Workload] = []
        for v in candidates:
            gone = tuple(targets)
            if v.queue != w.queue and not self.borrowed(v.queue, gone):
                continue  # that queue borrows no more: nothing to reclaim
            targets.append(v)
            if self.fits(w, tuple(targets), borrow):
                break
        else:
            return None
        for v in reversed(list(targets)):  # spare whoever need not go
            rest = tuple(t for t in targets if t is not v)
            if self.fits(w, rest, borrow):
                targets = list(rest)
        return targets

    # --8<-- [end:preempt]

    # ------------------------------------------------------------ events

    def say(self, text: str) -> None:
        self.log.append(text)
        print(text)

    def submit(self, name: str, queue: str, gpus: int, priority: str) -> None:
        self.step += 1
        self.workloads.append(Workload(name, queue, gpus, priority, created=self.step))
        self.say(f"{queue} submits {name}: {gpus} GPUs, {priority}")
        self.schedule()

    def finish(self, name: str) -> None:
        self.step += 1
        (w,) = [w for w in self.admitted() if w.name == name]
        w.done = True
        self.say(f"{name} finishes: {w.gpus} GPUs free")
        self.schedule()

    def pending(self) -> list[Workload]:
        waiting = [w for w in self.workloads if w.admitted is None and not w.done]
        return sorted(waiting, key=lambda w: (-self.priorities[w.priority], w.created))

    def schedule(self) -> None:
        """Admit what fits, preempting where the policies allow, until nothing changes;
        then say why the rest waits. Each queue's order: priority, then age."""
        while self.schedule_one():
            pass
        for w in self.pending():
            self.say(f"  pending   {w.name}: {self.why_not(w)}")

    def schedule_one(self) -> bool:
        blocked: set[str] = set()
        for w in self.pending():
            if w.queue in blocked:
                continue
            if self.fits(w):
                self.admit(w)
                return True
            targets = self.victims(w)
            if targets:
                for v in targets:
                    v.admitted = None
                    why = "reclaim" if v.queue != w.queue else "priority"
                    self.say(f"  preempted {v.name} ({v.gpus} GPUs, {why})")
                self.admit(w)
                return True
            if self.queues[w.queue].strict_fifo:
                blocked.add(w.queue)  # StrictFIFO: nothing passes the head
        return False

    def admit(self, w: Workload) -> None:
        w.admitted = self.step
        borrowed = self.borrowed(w.queue)
        extra = f", {w.queue} borrows {borrowed}" if borrowed else ""
        self.say(f"  admitted  {w.name} ({w.gpus} GPUs{extra})")

    def why_not(self, w: Workload) -> str:
        queue = self.queues[w.queue]
        mine = self.used(w.queue) + w.gpus
        ceiling = queue.nominal + (queue.borrowing_limit or 0)
        if mine > ceiling:
            return f"{w.queue} would hold {mine} > {ceiling} it may use"
        free = sum(q.nominal for q in self.cohort_of(queue)) - sum(
            self.used(q.name) for q in self.cohort_of(queue)
        )
        return f"needs {w.gpus}, the cohort has {free} free"

    def usage(self) -> str:
        parts = []
        for q in self.queues.values():
            used, borrowed = self.used(q.name), self.borrowed(q.name)
            parts.append(f"{q.name} {used}/{q.nominal}" + (f" (+{borrowed})" if borrowed else ""))
        return "  usage: " + ", ".join(parts)


def describe(queues: dict[str, Queue], priorities: dict[str, int]) -> None:
    print("ClusterQueues (nvidia.com/gpu):")
    for q in queues.values():
        print(
            f"  {q.name:<9} cohort {q.cohort}, nominal {q.nominal}, "
            f"borrow <= {q.borrowing_limit}, lend <= {q.lending_limit}"
        )
    print("  preemption: " + ", ".join(f"{q.name} {q.reclaim}/{q.within}" for q in queues.values()))
    print("Priorities: " + ", ".join(f"{k} {v}" for k, v in priorities.items()))


# --8<-- [start:timeline]
STEPS = [
    ("submit", "lang-pretrain", "language", 40, "research"),  # vision is idle
    ("submit", "lang-sweep", "language", 16, "research"),
    ("submit", "vision-resnet", "vision", 32, "research"),  # its 32 back
    ("submit", "lang-eval", "language", 16, "research"),
    ("submit", "lang-hotfix", "language", 16, "deadline"),  # a deadline
    ("finish", "vision-resnet"),
]


def play(cluster: Cluster, steps=STEPS):
    for n, (event, *args) in enumerate(steps, 1):
        print(f"\nt{n}  ", end="")
        if event == "submit":
            cluster.submit(*args)
        else:
            cluster.finish(*args)
        print(cluster.usage())
        yield n, cluster


# --8<-- [end:timeline]


# --8<-- [start:gang]
def pod_by_pod(jobs: dict[str, int], gpus: int, per_pod: int):
    """Pods placed one at a time, as the default scheduler does, the jobs'
    Pods interleaved as they arrive, until no GPU is left: Pods per job."""
    placed = dict.fromkeys(jobs, 0)
    free = gpus
    while free >= per_pod and any(placed[j] < jobs[j] for j in jobs):
        for job in jobs:
            if placed[job] < jobs[job] and free >= per_pod:
                placed[job] += 1
                free -= per_pod
    return placed


# --8<-- [end:gang]


def gang(queues: dict[str, Queue], priorities: dict[str, int]) -> None:
    total = sum(q.nominal for q in queues.values())
    jobs = {"job-x": 6, "job-y": 6}  # Pods of 8 GPUs: 48 GPUs each
    print(f"\nTwo jobs of 6 Pods x 8 GPUs (48 each) on {total} GPUs")
    print("without gang scheduling, Pods placed one at a time:")
    placed = pod_by_pod(jobs, total, 8)
    for job, count in placed.items():
        print(f"  {job}: {count} of {jobs[job]} Pods placed, waits for the rest")
    held = 8 * sum(placed.values())
    running = sum(placed[j] == jobs[j] for j in jobs)
    print(f"  {held} of {total} GPUs held, {running} jobs running: deadlock")
    print("with Kueue admitting each job whole (x in vision, y in language):")
    cluster = Cluster(queues, priorities)
    cluster.submit("job-x", "vision", 48, "research")
    cluster.submit("job-y", "language", 48, "research")
    cluster.finish("job-x")
    print(cluster.usage())


def main() -> Cluster:
    queues, priorities = load_queues(), load_priorities()
    describe(queues, priorities)
    cluster = Cluster(queues, priorities)
    for _ in play(cluster):
        pass
    gang(queues, priorities)
    return cluster


if __name__ == "__main__":
    main()
