// plots.h — PNG plots of a training run, drawn with PLplot (its pngcairo device): metric curves per
// epoch and confusion-matrix heat maps. Files are written under a temporary name and renamed into
// place, so a reader never sees a half-written PNG. Thread-safe (PLplot's global state sits behind
// one mutex). Errors: ValueError for bad arguments, IOError naming the file when it cannot be written.
#pragma once
#include <cstdint>
#include <functional>
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

// Like plot_curves, but series values are drawn at the given x values (e.g. accuracy against the FGSM
// epsilon 0, 0.05, ..., 0.3): every series must have x_values.size() values. NaN or infinite x or y
// values leave a gap; at least one finite point is required.
void plot_lines(const std::string& path_png, const std::string& title, const std::vector<double>& x_values,
                const std::map<std::string, std::vector<double>>& series_by_name,
                const std::string& xlabel = "", const std::string& ylabel = "", PlotSize size = {});

// Heat map of a [C, C] confusion matrix (rows = true class, columns = predicted class, as
// ConfusionMatrix::compute() returns), with the count written in each cell (for C <= 30). class_names
// labels the axes; empty means "0", "1", ...; otherwise it must have C entries. Float matrices (e.g.
// row-normalised) are shaded the same way and their values written with two decimals.
void plot_confusion_matrix(const std::string& path_png, const Tensor& cm,
                           const std::vector<std::string>& class_names = {},
                           const std::string& title = "Confusion matrix", PlotSize size = {800, 800});

// Scatter plot of `points` (floating [N, 2]: x, y) coloured by `labels` (integer [N] class ids >= 0;
// undefined: one class, no legend), with a legend of the classes right of the plot (colours: matplotlib's
// tab10, repeating after 10; no legend beyond 30 classes). class_names labels the legend: empty means
// "0", "1", ...; otherwise it needs a name for every class id (more names are listed too). Points with a
// non-finite coordinate are skipped. For a 3-D latent, pass two of its columns.
void plot_scatter(const std::string& path_png, const std::string& title, const Tensor& points,
                  const Tensor& labels = {}, const std::vector<std::string>& class_names = {},
                  PlotSize size = {});

// A grid of `images` (uint8 [N, C, H, W] or floating with values in [0, 1], C = 1 or 3; other values are
// clamped, NaN is black) with `nrow` images per row, like torchvision.utils.make_grid, each scaled to
// fit its cell (nearest neighbour, aspect ratio kept). captions: empty or one per image, written above
// it (empty strings leave a blank), like matplotlib subplot titles. The pixels are pasted exactly into
// the page PLplot renders with the captions.
void plot_image_grid(const std::string& path_png, const Tensor& images, int64_t nrow,
                     const std::vector<std::string>& captions = {}, PlotSize size = {});

// Maps points [M, 2] (float32) to class ids [M] (any integer dtype, >= 0), e.g. a model's argmax.
using ClassPredictor = std::function<Tensor(const Tensor& points)>;

// Decision regions of `predict` over the bounding box of `points` (floating [N, 2]) widened by 10% on
// each side, sampled on a grid_steps x grid_steps grid (one call to predict, under NoGradGuard) and
// shaded in light versions of the class colours, with the points on top in their true class colours
// (`labels`: integer [N] class ids, or undefined for black points) and a legend "class 0", "class 1", ...
// of every class in labels or predicted (up to 30).
void plot_decision_boundary(const std::string& path_png, const std::string& title,
                            const ClassPredictor& predict, const Tensor& points, const Tensor& labels,
                            int64_t grid_steps = 200, PlotSize size = {});

}  // namespace nabla::training
