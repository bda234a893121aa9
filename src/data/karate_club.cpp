// karate_club.cpp — Zachary's karate club, as networkx 2.8's karate_club_graph() has it (the edge list and
// the "club" attribute; tests/data/graph_test.cpp compares with tests/golden/karate_club.json).
#include <array>

#include "nabla/data/datasets.h"
#include "nabla/ops/ops.h"

namespace nabla::data {

Graph karate_club() {
  static constexpr std::array<std::array<int64_t, 2>, 78> kEdges = {{
      {0, 1},   {0, 2},   {0, 3},   {0, 4},   {0, 5},   {0, 6},   {0, 7},   {0, 8},   {0, 10},  {0, 11},
      {0, 12},  {0, 13},  {0, 17},  {0, 19},  {0, 21},  {0, 31},  {1, 2},   {1, 3},   {1, 7},   {1, 13},
      {1, 17},  {1, 19},  {1, 21},  {1, 30},  {2, 3},   {2, 7},   {2, 8},   {2, 9},   {2, 13},  {2, 27},
      {2, 28},  {2, 32},  {3, 7},   {3, 12},  {3, 13},  {4, 6},   {4, 10},  {5, 6},   {5, 10},  {5, 16},
      {6, 16},  {8, 30},  {8, 32},  {8, 33},  {9, 33},  {13, 33}, {14, 32}, {14, 33}, {15, 32}, {15, 33},
      {18, 32}, {18, 33}, {19, 33}, {20, 32}, {20, 33}, {22, 32}, {22, 33}, {23, 25}, {23, 27}, {23, 29},
      {23, 32}, {23, 33}, {24, 25}, {24, 27}, {24, 31}, {25, 31}, {26, 29}, {26, 33}, {27, 33}, {28, 31},
      {28, 33}, {29, 32}, {29, 33}, {30, 32}, {30, 33}, {31, 32}, {31, 33}, {32, 33},
  }};
  static constexpr char kClub[] = "0000000001000011001010111111111111";  // node i's faction
  std::vector<int64_t> edges(2 * kEdges.size()), labels(34);
  for (size_t k = 0; k < kEdges.size(); ++k) {
    edges[k] = kEdges[k][0];
    edges[kEdges.size() + k] = kEdges[k][1];
  }
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = kClub[i] - '0';
  return {from_buffer(edges.data(), {2, static_cast<int64_t>(kEdges.size())}, kInt64),
          from_buffer(labels.data(), {34}, kInt64),
          {"Mr. Hi", "Officer"}};
}

}  // namespace nabla::data
