# check_layers.cmake — fails when an #include points up the layer stack (docs/ARCHITECTURE.md, "Layers").
#   cmake -DNABLA_SOURCE_DIR=<repo> -P cmake/check_layers.cmake
# Run by the build (target nabla_check_layers, a dependency of every layer library) and so by CI.
# A file's layer is its folder: src/<layer>/... or include/nabla/<layer>/...; an include's layer is
# the first folder of its path ("nabla/ops/ops.h" and "ops/kernels.h" are both ops).

cmake_minimum_required(VERSION 3.25)

# What each layer may include, besides itself. The core (tensor, ops, autograd) is one library but
# keeps its own order: kernels never include autograd.
set(allowed_util tensor)
set(allowed_tensor util)
set(allowed_ops tensor util)
set(allowed_autograd tensor ops util)
set(allowed_nn tensor ops autograd util)
set(allowed_optim tensor ops autograd util nn)
set(allowed_io tensor ops autograd util)
set(allowed_data tensor ops autograd util io)
set(allowed_distributed tensor ops autograd util nn optim io data)
set(allowed_text tensor ops autograd util nn io data)
set(allowed_vision tensor ops autograd util nn)
set(allowed_train tensor ops autograd util nn optim io data distributed text vision)
set(allowed_onnx tensor ops autograd util nn optim io)
set(allowed_serve tensor ops autograd util nn optim io data distributed text vision train)
set(allowed_tool tensor ops autograd util nn optim io data distributed text vision train onnx serve umbrella)
set(allowed_torch tensor ops autograd util nn optim io data text vision umbrella)
set(layers util tensor ops autograd nn optim io data distributed text vision train onnx serve tool torch)

# The documented exceptions (docs/ARCHITECTURE.md): TensorImpl owns the autograd metadata, printing
# names the grad_fn, and the Tensor class declares its op methods from the op table (a list of rows,
# no code: like PyTorch's TensorBody.h, generated from native_functions.yaml).
set(exceptions "src/tensor/tensor_impl.cpp:autograd/meta.h" "src/tensor/print.cpp:nabla/autograd/node.h"
  "include/nabla/tensor/tensor.h:nabla/ops/op_table.h")
# Above the core, nobody names a backend: op definitions and modules call the kernels:: entry points.
set(backend_includes "ops/cpu/" "ops/dnnl/")
set(backend_free autograd nn optim io data distributed text vision train onnx serve tool)

file(GLOB_RECURSE files RELATIVE ${NABLA_SOURCE_DIR}
  ${NABLA_SOURCE_DIR}/src/*.cpp ${NABLA_SOURCE_DIR}/src/*.h ${NABLA_SOURCE_DIR}/include/nabla/*.h)
set(violations "")
foreach(file IN LISTS files)
  if(file MATCHES "^src/([a-z_]+)/")
    set(layer ${CMAKE_MATCH_1})
  elseif(file MATCHES "^include/nabla/([a-z_]+)/")
    set(layer ${CMAKE_MATCH_1})
  else()
    continue()  # umbrella headers at include/nabla/*.h may include every layer
  endif()
  if(NOT layer IN_LIST layers)
    string(APPEND violations "  ${file}: folder '${layer}' is not a known layer (add it to cmake/check_layers.cmake)\n")
    continue()
  endif()
  file(STRINGS ${NABLA_SOURCE_DIR}/${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" inc "${line}")
    set(path ${inc})
    string(REGEX REPLACE "^(nabla|src)/" "" path "${path}")
    if(NOT path MATCHES "/")
      if(inc MATCHES "^nabla/")
        set(to umbrella)  # nabla/nabla.h, nabla/core.h
      else()
        continue()  # a file beside this one
      endif()
    else()
      string(REGEX REPLACE "/.*" "" to "${path}")
    endif()
    if(NOT to IN_LIST layers AND NOT to STREQUAL "umbrella")
      continue()  # a third-party or generated header
    endif()
    if("${file}:${inc}" IN_LIST exceptions)
      continue()
    endif()
    if(layer IN_LIST backend_free)
      foreach(backend IN LISTS backend_includes)
        if(path MATCHES "^${backend}")
          string(APPEND violations "  ${file}: includes \"${inc}\" — only src/ops/ may name a backend\n")
        endif()
      endforeach()
    endif()
    if(to STREQUAL layer OR to IN_LIST allowed_${layer})
      continue()
    endif()
    string(APPEND violations "  ${file} (layer ${layer}) includes \"${inc}\" (layer ${to}), which is above it\n")
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "Includes must point down the layers (docs/ARCHITECTURE.md):\n${violations}")
endif()
