#!/usr/bin/env python3
"""CartPole trajectories for tests/data/rl_test.cpp, from a line-by-line transcription of Gymnasium's
CartPoleEnv.step (gymnasium/envs/classic_control/cartpole.py, euler integrator; Debian has no gym).
Writes tests/golden/cartpole.json: per case the start state, the actions, and after each step the
float64 state and the terminated flag. Run with /usr/bin/python3 (no torch needed)."""
import json, math, os, random

gravity, masscart, masspole = 9.8, 1.0, 0.1
total_mass = masspole + masscart
length = 0.5  # actually half the pole's length
polemass_length = masspole * length
force_mag, tau = 10.0, 0.02
theta_threshold_radians = 12 * 2 * math.pi / 360
x_threshold = 2.4


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta, sintheta = math.cos(theta), math.sin(theta)
    temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (
        length * (4.0 / 3.0 - masspole * costheta**2 / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    terminated = bool(x < -x_threshold or x > x_threshold
                      or theta < -theta_threshold_radians or theta > theta_threshold_radians)
    return [x, x_dot, theta, theta_dot], terminated


def case(name, state, actions):
    states, term = [], []
    for a in actions:
        state, t = step(state, a)
        states.append(state)
        term.append(t)
        if t:
            break
    return {"name": name, "start": list(start_of[name]), "actions": actions[:len(states)],
            "states": states, "terminated": term}


rng = random.Random(7)
start_of = {
    "push_right": [0.01, -0.02, 0.03, 0.04],
    "push_left": [-0.03, 0.01, -0.02, 0.05],
    "alternate": [0.0, 0.0, 0.0, 0.0],
    "random_actions": [rng.uniform(-0.05, 0.05) for _ in range(4)],
    "near_edge": [2.35, 1.5, 0.0, 0.0],
}
actions_of = {
    "push_right": [1] * 40,
    "push_left": [0] * 40,
    "alternate": [i % 2 for i in range(60)],
    "random_actions": [rng.randrange(2) for _ in range(60)],
    "near_edge": [1] * 10,
}
cases = [case(n, list(start_of[n]), actions_of[n]) for n in start_of]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cartpole.json")
with open(out, "w") as f:
    json.dump({"cases": cases}, f, indent=None)
    f.write("\n")
print(out, [(c["name"], len(c["states"]), c["terminated"][-1]) for c in cases])
