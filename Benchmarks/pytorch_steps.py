#!/usr/bin/env python3
"""Times CLSA's training steps in PyTorch (fp32, CPU) beside `clsa bench`.

What it measures, each as images per second of the median of --repetitions timed steps after
--warmups untimed ones, at each thread count of --threads (torch.set_num_threads), the thread
counts alternating step by step so drift of the host hits each alike:

  fashion-mnist  the `fashion-mnist` preset's step (Sources/CLSA/Run/Presets.swift): the
                 small-image ResNet-18 of width 24 (3x3 stride-1 stem, no max-pool, widths
                 24/48/96/192) with a 192-192-128 projection head, batch 64, keys and weak
                 queries at 32 px, the strong query at 14 px, K 4096 and in-batch negatives,
                 tau 0.2, alpha 0.99, lr 0.06, weight decay 5e-4; as CLSA-Single and as MoCo
                 v2 (no strong view).
  clsa-single    the paper's CLSA-Single step on ResNet-50 (torchvision's layout, fc replaced
                 by a 2048-2048-128 head) at batch 32: keys and weak queries at 224 px, the
                 strong query at 96 px, K 65536, tau 0.2, alpha 0.999, lr 0.03 * 32 / 256.
  resnet50       a supervised ResNet-50 step (1000 classes, cross-entropy on random labels),
                 batch 32 at 224 px, SGD lr 0.01, momentum 0.9, weight decay 1e-4.

A contrastive step is the whole of one training step: keys from the key encoder with
shuffle-BN emulated in one process (the shuffled batch in 8 groups, each normalised by its own
batch statistics), queries, the contrastive loss (plus the distributional loss for CLSA), the
backward pass, SGD (momentum 0.9, the setup's weight decay), the key encoder's momentum update and the
enqueue. Inputs are synthetic (seeded normal noise), NCHW. Each section runs in a process of its
own; `torch_<section>_peak_rss_mb` is that process's peak resident memory. The models are built
here (torchvision is not needed); their layout is torchvision's.

Install torch in a throw-away virtual environment, outside the repository:
    python3 -m venv /tmp/venv-torch
    /tmp/venv-torch/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu
(or plain `pip install torch`, which also brings CUDA libraries the CPU run does not use).

The full comparison, from the repository root (about as long as `clsa bench` itself):
    swift run -c release clsa bench > bench.txt
    /tmp/venv-torch/bin/python Benchmarks/pytorch_steps.py --clsa-bench bench.txt
which adds `ratio_<name>: <clsa / torch>` for each images/s figure both report (above 1: clsa
is faster). `--smoke` runs every section once at batch 4 (ResNet-50 at 64 px) to check the
script, not to measure.
"""
import argparse
import copy
import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

SECTIONS = ("fashion-mnist", "clsa-single", "resnet50")
EMBEDDING_DIM = 128
SGD_MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4


# Models: torchvision's ResNet layout, with an optional small-image stem and base width.

def conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)


def shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Module:
    """The identity, or a strided 1x1 projection where the block changes shape."""
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                         nn.BatchNorm2d(out_channels))


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels: int, width: int, stride: int):
        super().__init__()
        self.conv1 = conv3x3(in_channels, width, stride)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = shortcut(in_channels, width, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = self.bn2(self.conv2(out))
        out += self.downsample(x)
        return F.relu(out, inplace=True)


class Bottleneck(nn.Module):
    """torchvision's (ResNet v1.5): the stride is on the 3x3 convolution."""
    expansion = 4

    def __init__(self, in_channels: int, width: int, stride: int):
        super().__init__()
        out_channels = width * self.expansion
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.downsample = shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = F.relu(self.bn2(self.conv2(out)), inplace=True)
        out = self.bn3(self.conv3(out))
        out += self.downsample(x)
        return F.relu(out, inplace=True)


class ResNet(nn.Module):
    """Stem, four stages of widths base_width * (1, 2, 4, 8), global average pooling, and a
    classifier when `classes` is given (else the pooled features, `feature_dim` of them)."""

    def __init__(self, block: type, layers: list[int], base_width: int = 64,
                 small_image_stem: bool = False, classes: Optional[int] = None):
        super().__init__()
        if small_image_stem:
            self.conv1 = conv3x3(3, base_width)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(3, base_width, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(base_width)
        self.in_channels = base_width
        self.layer1 = self._stage(block, base_width, layers[0], stride=1)
        self.layer2 = self._stage(block, base_width * 2, layers[1], stride=2)
        self.layer3 = self._stage(block, base_width * 4, layers[2], stride=2)
        self.layer4 = self._stage(block, base_width * 8, layers[3], stride=2)
        self.feature_dim = self.in_channels
        self.fc = nn.Identity() if classes is None else nn.Linear(self.feature_dim, classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def _stage(self, block: type, width: int, count: int, stride: int) -> nn.Sequential:
        blocks = []
        for index in range(count):
            blocks.append(block(self.in_channels, width, stride if index == 0 else 1))
            self.in_channels = width * block.expansion
        return nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(F.relu(self.bn1(self.conv1(x)), inplace=True))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def small_resnet18(base_width: int = 24) -> ResNet:
    """The project's `resnet18-small`: 3x3 stride-1 stem, no max-pool."""
    return ResNet(BasicBlock, [2, 2, 2, 2], base_width=base_width, small_image_stem=True)


def resnet50(classes: Optional[int] = None) -> ResNet:
    return ResNet(Bottleneck, [3, 4, 6, 3], classes=classes)


class Encoder(nn.Module):
    """Backbone, then the MoCo v2 head (Linear d->d, ReLU, Linear d->128), L2-normalised."""

    def __init__(self, backbone: ResNet):
        super().__init__()
        self.backbone = backbone
        dim = backbone.feature_dim
        self.head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, EMBEDDING_DIM))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.head(self.backbone(x)), dim=1)


# Steps.

@dataclasses.dataclass(frozen=True)
class ContrastiveSetup:
    backbone: Callable[[], ResNet]
    batch: int
    image_size: int
    strong_size: Optional[int]  # None: MoCo v2 (no strong view, no distributional loss)
    queue_size: int
    temperature: float
    alpha: float  # key encoder momentum
    learning_rate: float
    key_groups: int  # shuffle-BN groups
    weight_decay: float = WEIGHT_DECAY
    query_groups: int = 1  # query BN groups (N: as N data-parallel workers normalise)
    in_batch_negatives: bool = False  # each query against every key of the batch (the released code)


FASHION_MNIST_CLSA = ContrastiveSetup(backbone=small_resnet18, batch=64, image_size=32, strong_size=14,
                                      queue_size=4096, temperature=0.2, alpha=0.99, learning_rate=0.06,
                                      key_groups=8, in_batch_negatives=True, weight_decay=5e-4)
FASHION_MNIST_MOCO = dataclasses.replace(FASHION_MNIST_CLSA, strong_size=None)
PAPER_CLSA_SINGLE = ContrastiveSetup(backbone=resnet50, batch=32, image_size=224, strong_size=96,
                                     queue_size=65536, temperature=0.2, alpha=0.999,
                                     learning_rate=0.03 * 32 / 256, key_groups=8)


class ContrastiveTrainer:
    """MoCo v2's query and key encoders and queue; CLSA-Single adds the strong view's loss."""

    def __init__(self, setup: ContrastiveSetup):
        self.setup = setup
        self.query = Encoder(setup.backbone())
        self.key = copy.deepcopy(self.query).requires_grad_(False)
        self.queue = F.normalize(torch.randn(setup.queue_size, EMBEDDING_DIM), dim=1)
        self.pointer = 0
        self.optimizer = torch.optim.SGD(self.query.parameters(), lr=setup.learning_rate,
                                         momentum=SGD_MOMENTUM, weight_decay=setup.weight_decay)

    @torch.no_grad()
    def keys(self, view: torch.Tensor) -> torch.Tensor:
        """Shuffle-BN in one process: the shuffled batch goes through the key encoder (in train
        mode) group by group, so each group is normalised by its own statistics."""
        order = torch.randperm(len(view))
        shuffled = torch.cat([self.key(group) for group in view[order].chunk(self.setup.key_groups)])
        return shuffled[torch.argsort(order)]

    def queries(self, view: torch.Tensor) -> torch.Tensor:
        """The query encoder, each of `query_groups` parts of the batch normalised on its own."""
        if self.setup.query_groups == 1:
            return self.query(view)
        return torch.cat([self.query(group) for group in view.chunk(self.setup.query_groups)])

    def logits(self, queries: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Positives first: one column (each query's own key), or with in-batch negatives the
        batch's keys (each query's own on the diagonal); then the queue."""
        if self.setup.in_batch_negatives:
            positives = queries @ keys.T
        else:
            positives = (queries * keys).sum(1, keepdim=True)
        negatives = queries @ self.queue.T
        return torch.cat([positives, negatives], 1) / self.setup.temperature

    def step(self, key_view: torch.Tensor, weak_view: torch.Tensor, strong_view: Optional[torch.Tensor]):
        keys = self.keys(key_view)
        weak_logits = self.logits(self.queries(weak_view), keys)
        targets = (torch.arange(len(keys)) if self.setup.in_batch_negatives
                   else torch.zeros(len(keys), dtype=torch.long))
        loss = F.cross_entropy(weak_logits, targets)
        if strong_view is not None:
            weak_distribution = F.softmax(weak_logits.detach(), dim=1)
            strong_logits = self.logits(self.queries(strong_view), keys)
            loss = loss - (weak_distribution * F.log_softmax(strong_logits, dim=1)).sum(1).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.update_key_encoder()
        self.enqueue(keys)

    @torch.no_grad()
    def update_key_encoder(self):
        """phi <- alpha * phi + (1 - alpha) * theta."""
        for key_parameter, query_parameter in zip(self.key.parameters(), self.query.parameters()):
            key_parameter.lerp_(query_parameter, 1 - self.setup.alpha)

    def enqueue(self, keys: torch.Tensor):
        slots = (self.pointer + torch.arange(len(keys))) % self.setup.queue_size
        self.queue[slots] = keys
        self.pointer = (self.pointer + len(keys)) % self.setup.queue_size


def contrastive_step(setup: ContrastiveSetup) -> Callable[[], None]:
    torch.manual_seed(0)
    trainer = ContrastiveTrainer(setup)
    key_view = torch.randn(setup.batch, 3, setup.image_size, setup.image_size)
    weak_view = torch.randn(setup.batch, 3, setup.image_size, setup.image_size)
    strong_view = (None if setup.strong_size is None
                   else torch.randn(setup.batch, 3, setup.strong_size, setup.strong_size))
    return lambda: trainer.step(key_view, weak_view, strong_view)


def supervised_step(batch: int, image_size: int) -> Callable[[], None]:
    torch.manual_seed(0)
    model = resnet50(classes=1000)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=SGD_MOMENTUM, weight_decay=WEIGHT_DECAY)
    images = torch.randn(batch, 3, image_size, image_size)
    labels = torch.randint(0, 1000, (batch,))

    def step():
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return step


# Measuring and reporting.

def report(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def median_images_per_second(step: Callable[[], None], batch: int, args) -> dict[int, float]:
    """Images/s of the median timed step at each thread count, the counts alternating."""
    for _ in range(args.warmups):
        for threads in args.threads:
            torch.set_num_threads(threads)
            step()
    seconds = {threads: [] for threads in args.threads}
    for _ in range(args.repetitions):
        for threads in args.threads:
            torch.set_num_threads(threads)
            start = time.perf_counter()
            step()
            seconds[threads].append(time.perf_counter() - start)
    return {threads: batch / statistics.median(samples) for threads, samples in seconds.items()}


def report_rates(prefix: str, rates: dict[int, float]) -> None:
    """`torch_PREFIX_images_per_s` at the most threads; the others with `_1_thread` or
    `_N_threads` (none when the most is 1, as in `clsa bench`)."""
    most = max(rates)
    report(f"torch_{prefix}_images_per_s", f"{rates[most]:.2f}")
    for threads in sorted(rates, reverse=True):
        if threads != most:
            suffix = "1_thread" if threads == 1 else f"{threads}_threads"
            report(f"torch_{prefix}_images_per_s_{suffix}", f"{rates[threads]:.2f}")


def smoke(setup: ContrastiveSetup) -> ContrastiveSetup:
    """Batch 4 in 2 key groups; images above 64 px shrunk to 64 px, the strong view alike."""
    image_size = min(setup.image_size, 64)
    strong_size = None if setup.strong_size is None else round(setup.strong_size * image_size / setup.image_size)
    return dataclasses.replace(setup, batch=4, key_groups=2, image_size=image_size, strong_size=strong_size)


def run_section(name: str, args) -> None:
    shrink = smoke if args.smoke else (lambda setup: setup)
    if name == "fashion-mnist":
        for prefix, setup in (("fashion_mnist_clsa_single", FASHION_MNIST_CLSA),
                              ("fashion_mnist_moco", FASHION_MNIST_MOCO)):
            setup = shrink(setup)
            report_rates(prefix, median_images_per_second(contrastive_step(setup), setup.batch, args))
    elif name == "clsa-single":
        setup = shrink(PAPER_CLSA_SINGLE)
        report_rates("clsa_single", median_images_per_second(contrastive_step(setup), setup.batch, args))
    else:
        batch, image_size = (4, 64) if args.smoke else (32, 224)
        report_rates("resnet50_train_step",
                     median_images_per_second(supervised_step(batch, image_size), batch, args))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    report(f"torch_{name.replace('-', '_')}_peak_rss_mb", f"{peak_mib:.0f}")


def run_section_in_child(name: str, args) -> dict[str, float]:
    """Runs one section in a new process, echoing its lines; returns its figures."""
    command = [sys.executable, os.path.abspath(__file__), "--section-process", name,
               "--threads", ",".join(map(str, args.threads)),
               "--warmups", str(args.warmups), "--repetitions", str(args.repetitions)]
    if args.smoke:
        command.append("--smoke")
    figures = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            print(line, end="", flush=True)
            figures.update(parse_figures([line]))
    if child.returncode != 0:
        sys.exit(f"section '{name}' failed in its own process (status {child.returncode})")
    return figures


def parse_figures(lines) -> dict[str, float]:
    """The numeric `name: value` lines."""
    figures = {}
    for line in lines:
        name, separator, value = line.partition(":")
        if not separator:
            continue
        try:
            figures[name.strip()] = float(value)
        except ValueError:
            continue
    return figures


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return "unknown"


def thread_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",")]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"thread counts must be at least 1, got {text!r}")
    return list(dict.fromkeys(counts))


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=thread_counts, default=[1, 2],
                        help="comma-separated thread counts (default 1,2); the unsuffixed figures are at the most")
    parser.add_argument("--warmups", type=int, default=2, help="untimed steps per thread count (default 2)")
    parser.add_argument("--repetitions", type=int, default=5,
                        help="timed steps per thread count; the figure is their median (default 5)")
    parser.add_argument("--only", action="append", choices=SECTIONS, metavar="SECTION",
                        help=f"run only this section ({', '.join(SECTIONS)}); repeatable")
    parser.add_argument("--clsa-bench", metavar="FILE",
                        help="`clsa bench` output to compare with: adds ratio_<name>: clsa / torch")
    parser.add_argument("--smoke", action="store_true",
                        help="check the script: 1 warm-up, 1 timed step, batch 4, ResNet-50 at 64 px")
    parser.add_argument("--section-process", choices=SECTIONS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.warmups, args.repetitions = 1, 1
    if args.warmups < 0 or args.repetitions < 1:
        parser.error("--warmups must be at least 0 and --repetitions at least 1")
    return args


def main() -> None:
    args = parse_arguments()
    if args.section_process:
        run_section(args.section_process, args)
        return
    clsa = {}
    if args.clsa_bench:
        with open(args.clsa_bench) as bench:
            clsa = parse_figures(bench)
    report("torch_version", torch.__version__)
    report("cpu_model", cpu_model())
    report("threads", max(args.threads))
    torch_figures = {}
    for name in SECTIONS:
        if not args.only or name in args.only:
            torch_figures.update(run_section_in_child(name, args))
    for name, value in clsa.items():
        torch_value = torch_figures.get(f"torch_{name}")
        if "images_per_s" in name and torch_value:
            report(f"ratio_{name}", f"{value / torch_value:.2f}")


if __name__ == "__main__":
    main()
