// plots.h — PNG plots of a training run, drawn with PLplot (its pngcairo device): metric curves per
// epoch and confusion-matrix heat maps. Files are written under a temporary name and renamed into
// place, so a reader never sees a half-written PNG. Thread-safe (PLplot's global state sits behind
// one mutex). Errors: ValueError for bad arguments, IOError naming the file when it cannot be written.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::training {

struct PlotSize {
  int width = 800;  // pixels
  int height = 600;
};

// One line per series (e.g. {"train_loss": [...], "val_loss": [...]}), with a legend. Value i is drawn
// at x = i + 1 (epochs count from 1); NaN or infinite values leave a gap. At least one finite value is
// required.
void plot_curves(const std::string& path_png, const std::string& title,
                 const std::map<std::string, std::vector<double>>& series_by_name,
                 const std::string& xlabel = "epoch", const std::string& ylabel = "", PlotSize size = {});

// Heat map of a [C, C] confusion matrix (rows = true class, columns = predicted class, as
// ConfusionMatrix::compute() returns), with the count written in each cell (for C <= 30). class_names
// labels the axes; empty means "0", "1", ...; otherwise it must have C entries. Float matrices (e.g.
// row-normalised) are shaded the same way and their values written with two decimals.
void plot_confusion_matrix(const std::string& path_png, const Tensor& cm,
                           const std::vector<std::string>& class_names = {},
                           const std::string& title = "Confusion matrix", PlotSize size = {800, 800});

}  // namespace nabla::training
