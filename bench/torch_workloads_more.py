#!/usr/bin/python3
"""PyTorch's side of nabla-bench's curriculum workloads (bench/workloads_curriculum.cpp).

The same flags (--threads N --seconds S --only a,b --allow-slow-blas) and output
(name <TAB> value <TAB> threads=N) as ../shared/anchors/torch_workloads.py, whose ResNet, timing loop,
classifier step and slow-BLAS refusal this script reuses: it loads that file as a module (set
NABLA_TORCH_WORKLOADS to use another copy). Each model, batch size, optimizer and data shape is the
one nabla-bench uses:
  resnet_infer_b64    chapter 4's ResNet, eval mode, no grad, batch 64 (faster memory format)  samples/s
  seq2seq_train       chapter 11's GRU encoder-decoder, teacher forcing                       samples/s
  cgan_train          chapter 7's conditional GAN, one D step + one G step per batch           samples/s
  dqn_step            chapter 12's DQN update on a replay batch of 64                          updates/s
  gcn_train           chapter 13's 2-layer GCN, full batch, Cora-sized graph, torch.sparse.mm  epochs/s
  dataloader_fashion  FashionMNIST-shaped uint8 images, ToTensor + Normalize, 2 workers       samples/s
Run with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import collections
import importlib.util
import os
import random
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_dataloader  # bench/torch_dataloader.py: the DataLoader measurement

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=4.0)
p.add_argument("--only", default="")
p.add_argument("--allow-slow-blas", action="store_true")
a = p.parse_args()


def load_anchor():
    """The shared anchor as a module, run with our flags and no workload of its own (--only none); it
    sets the thread count and the seed and exits on a slow BLAS."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.environ.get("NABLA_TORCH_WORKLOADS", os.path.join(here, "..", "..", "shared", "anchors",
                                                                "torch_workloads.py"))
    if not os.path.isfile(path):
        sys.exit(f"torch_workloads_more: {path} not found (set NABLA_TORCH_WORKLOADS)")
    argv, sys.argv = sys.argv, [path, "--threads", str(a.threads), "--seconds", str(a.seconds), "--only=none"]
    if a.allow_slow_blas:
        sys.argv.append("--allow-slow-blas")
    spec = importlib.util.spec_from_file_location("torch_workloads", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.argv = argv
    return module


anchor = load_anchor()
timed = anchor.timed


class Generator(nn.Module):      # chapter 7
    def __init__(s):
        super().__init__(); s.label_embedding = nn.Embedding(10, 10)
        s.net = nn.Sequential(nn.Linear(110, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                              nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh())
    def forward(s, z, labels):
        return s.net(torch.cat([z, s.label_embedding(labels)], 1)).view(-1, 1, 28, 28)


class Discriminator(nn.Module):  # chapter 7
    def __init__(s):
        super().__init__(); s.label_embedding = nn.Embedding(10, 10)
        s.net = nn.Sequential(nn.Linear(794, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                              nn.Linear(1024, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                              nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(256, 1), nn.Sigmoid())
    def forward(s, images, labels):
        return s.net(torch.cat([images.flatten(1), s.label_embedding(labels)], 1))


class Seq2Seq(nn.Module):        # chapter 11: shared embedding, encoder GRU -> decoder GRU -> projection
    def __init__(s, vocab, hidden, sos):
        super().__init__(); s.sos = sos; s.embedding = nn.Embedding(vocab, hidden)
        s.encoder = nn.GRU(hidden, hidden, batch_first=True); s.decoder = nn.GRU(hidden, hidden, batch_first=True)
        s.project = nn.Linear(hidden, vocab)
    def forward(s, source, lengths, target):   # teacher forcing: each next input is the true character
        packed = nn.utils.rnn.pack_padded_sequence(s.embedding(source), lengths, batch_first=True, enforce_sorted=False)
        _, state = s.encoder(packed)
        inp = torch.full((target.size(0),), s.sos, dtype=torch.long); scores = []
        for t in range(target.size(1)):
            out, state = s.decoder(s.embedding(inp).unsqueeze(1), state)
            scores.append(s.project(out.squeeze(1))); inp = target[:, t]
        return torch.stack(scores, 1)


def q_network():                 # chapter 12
    return nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))


class GCNConv(nn.Module):        # PyTorch Geometric's GCNConv: A_hat (x W^T) + b, Glorot weight, zero bias
    def __init__(s, i, o):
        super().__init__(); s.lin = nn.Linear(i, o, bias=False); nn.init.xavier_uniform_(s.lin.weight)
        s.bias = nn.Parameter(torch.zeros(o))
    def forward(s, x, a_hat):
        return torch.sparse.mm(a_hat, s.lin(x)) + s.bias


class PlanetoidGCN(nn.Module):   # chapter 13, section 4 (Kipf & Welling)
    def __init__(s, features, classes):
        super().__init__(); s.conv1 = GCNConv(features, 16); s.conv2 = GCNConv(16, classes)
    def forward(s, x, a_hat):
        h = F.relu(s.conv1(F.dropout(x, 0.5, s.training), a_hat))
        return s.conv2(F.dropout(h, 0.5, s.training), a_hat)


def resnet_infer():
    best = 0.0
    for fmt in (torch.contiguous_format, torch.channels_last):
        torch.manual_seed(0)
        m = anchor.ResNet().to(memory_format=fmt).eval(); x = torch.randn(64, 3, 32, 32).to(memory_format=fmt)
        def step():
            with torch.no_grad(): m(x)
        best = max(best, timed(step, 64))
    return best


def seq2seq():
    vocab, hidden, batch, pad, sos, first_letter = 37, 256, 64, 1, 2, 4
    m = Seq2Seq(vocab, hidden, sos).train(); opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    lengths = torch.tensor([2 + i % 11 for i in range(batch)])
    source = torch.randint(first_letter, vocab, (batch, 12)); target = torch.randint(first_letter, vocab, (batch, 13))
    def step():
        scores = m(source, lengths, target)
        loss = F.cross_entropy(scores.reshape(-1, vocab), target.reshape(-1), ignore_index=pad)
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
    return timed(step, batch)


def cgan():
    batch = 64; g = Generator().train(); d = Discriminator().train()
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real_images = torch.rand(batch, 1, 28, 28) * 2 - 1; real_classes = torch.randint(0, 10, (batch,))
    real_labels = torch.ones(batch, 1); fake_labels = torch.zeros(batch, 1)
    def step():
        fake_classes = torch.randint(0, 10, (batch,)); fake_images = g(torch.randn(batch, 100), fake_classes)
        d_opt.zero_grad()
        d_loss = F.binary_cross_entropy(d(real_images, real_classes), real_labels) + \
            F.binary_cross_entropy(d(fake_images.detach(), fake_classes), fake_labels)
        d_loss.backward(); d_opt.step()
        g_opt.zero_grad(); F.binary_cross_entropy(d(fake_images, fake_classes), real_labels).backward(); g_opt.step()
    return timed(step, batch)


def dqn():
    q, q_target = q_network(), q_network(); q_target.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=1e-3); rng = random.Random(0)
    memory = collections.deque(maxlen=50000)   # the seed's replay memory: a deque of transitions
    for i in range(10000):
        memory.append((torch.randn(4), i % 2, 1.0, torch.randn(4), i % 50 == 49))
    def step():
        obs, actions, rewards, next_obs, dones = zip(*rng.sample(memory, 64))
        obs, next_obs = torch.stack(obs), torch.stack(next_obs)
        actions = torch.tensor(actions); rewards = torch.tensor(rewards, dtype=torch.float32)
        dones = torch.tensor(dones, dtype=torch.float32)
        with torch.no_grad():
            target = rewards + 0.99 * q_target(next_obs).max(1)[0] * (1 - dones)
        predicted = q(obs).gather(1, actions.unsqueeze(1)).squeeze(1)
        loss = F.smooth_l1_loss(predicted, target)
        opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(q.parameters(), 10.0); opt.step()
    return timed(step, 1)


def normalized_adjacency(edges, n):
    """D^-1/2 (A + I) D^-1/2 of the undirected graph `edges` [2, E] (repeated edges count once)."""
    loops = torch.arange(n).repeat(2, 1)
    idx = torch.cat([edges, edges.flip(0), loops], 1)
    a = torch.sparse_coo_tensor(idx, torch.ones(idx.size(1)), (n, n)).coalesce()
    idx = a.indices(); values = torch.ones(idx.size(1))   # 0/1 again after duplicates were summed
    deg = torch.zeros(n).index_add_(0, idx[0], values)
    d = deg.pow(-0.5)
    return torch.sparse_coo_tensor(idx, d[idx[0]] * values * d[idx[1]], (n, n)).coalesce()


def gcn():
    nodes, edges, features, classes, labelled = 2708, 5278, 1433, 7, 140
    a_hat = normalized_adjacency(torch.randint(0, nodes, (2, edges)), nodes)
    x = (torch.rand(nodes, features) < 18 / features).float()
    words = x.sum(1, keepdim=True); x = x / words.masked_fill(words == 0, 1.0)
    train = torch.arange(labelled); y_train = torch.randint(0, classes, (labelled,))
    m = PlanetoidGCN(features, classes).train()
    opt = torch.optim.Adam([{"params": m.conv1.parameters(), "weight_decay": 5e-4},
                            {"params": m.conv2.parameters()}], lr=0.01)
    def step():
        loss = F.cross_entropy(m(x, a_hat).index_select(0, train), y_train)
        opt.zero_grad(); loss.backward(); opt.step()
    return timed(step, 1)


def dataloader_fashion():
    ds = torch_dataloader.GrayImages(torch.randint(0, 256, (60000, 28, 28), dtype=torch.uint8),
                                     torch.randint(0, 10, (60000,)), 0.2860, 0.3530)
    return torch_dataloader.measure(ds, 2, sys.maxsize, a.seconds)


WORKLOADS = [("resnet_infer_b64", resnet_infer), ("seq2seq_train", seq2seq), ("cgan_train", cgan),
             ("dqn_step", dqn), ("gcn_train", gcn), ("dataloader_fashion", dataloader_fashion)]
wanted = [w for w in a.only.split(",") if w]
unknown = set(wanted) - {name for name, _ in WORKLOADS}
if unknown:
    sys.exit(f"torch_workloads_more: unknown workload(s) {', '.join(sorted(unknown))}")
for name, f in WORKLOADS:
    if wanted and name not in wanted: continue
    torch.manual_seed(0)
    print(f"{name}\t{f():.1f}\tthreads={a.threads}", flush=True)
