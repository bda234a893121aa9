# install.cmake — `cmake --install <build> --prefix P` lays out:
#   P/include/nabla/...                      public headers (the whole include/nabla tree)
#   P/lib/libnabla_{core,nn,io,data,text,train}.so*   one shared library per layer (or, with NABLA_STATIC,
#                                               their archives and one self-contained libnabla.a)
#   P/lib/cmake/nabla/nabla{Config,ConfigVersion,Targets*}.cmake   for find_package(nabla)
#   P/lib/pkgconfig/nabla.pc                 for pkg-config
# Targets: nabla::nabla (everything) and one per layer, nabla::core ... nabla::train, which
# `find_package(nabla COMPONENTS core)` checks for. oneDNN, fmt, OpenMP, protobuf, PLplot, OpenSSL
# are PRIVATE to the layer libraries and the public headers include only the standard library, so
# shared-library consumers need none of them.

# Plain `lib`, not Debian's multiarch lib/<triplet>, so the layout above is the same for every prefix.
# Must be set before GNUInstallDirs computes its default.
set(CMAKE_INSTALL_LIBDIR lib CACHE PATH "Object code libraries (lib)")
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Consumers compile our headers, which need C++20; the layer targets say so (cxx_std_20), and the
# umbrella inherits it.

set(NABLA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nabla)

set(NABLA_INSTALL_TARGETS nabla)
foreach(layer IN LISTS NABLA_LAYERS)
  list(APPEND NABLA_INSTALL_TARGETS nabla_${layer})
endforeach()
install(TARGETS ${NABLA_INSTALL_TARGETS} EXPORT nablaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nabla
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/torch
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(EXPORT nablaTargets NAMESPACE nabla:: DESTINATION ${NABLA_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/nablaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nablaConfig.cmake
  INSTALL_DESTINATION ${NABLA_CMAKE_DIR})
# 0.x: minor versions may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nablaConfig.cmake ${PROJECT_BINARY_DIR}/nablaConfigVersion.cmake
  DESTINATION ${NABLA_CMAKE_DIR})

# The .pc file finds its prefix from its own location (${pcfiledir}), so it is right for any
# `--prefix` given at install time, not only the one known at configure time.
configure_file(${CMAKE_CURRENT_LIST_DIR}/nabla.pc.in ${PROJECT_BINARY_DIR}/nabla.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nabla.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# find_package(Torch): LibTorch's package name, served by nabla::torch (P/share/cmake/Torch, where
# LibTorch's own config sits relative to its prefix). Version 1.13.1: the LibTorch API it follows.
set(NABLA_TORCH_CMAKE_DIR share/cmake/Torch)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/torch/TorchConfig.cmake.in
  ${PROJECT_BINARY_DIR}/TorchConfig.cmake
  INSTALL_DESTINATION ${NABLA_TORCH_CMAKE_DIR}
  PATH_VARS NABLA_CMAKE_DIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/TorchConfigVersion.cmake
  VERSION 1.13.1 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/TorchConfig.cmake ${PROJECT_BINARY_DIR}/TorchConfigVersion.cmake
  DESTINATION ${NABLA_TORCH_CMAKE_DIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/torch/nabla-torch.pc.in ${PROJECT_BINARY_DIR}/nabla-torch.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nabla-torch.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
