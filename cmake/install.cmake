# install.cmake — `cmake --install <build> --prefix P` lays out:
#   P/include/nabla/...                      public headers (the whole include/nabla tree)
#   P/lib/libnabla.so*                       the shared library
#   P/lib/cmake/nabla/nabla{Config,ConfigVersion,Targets*}.cmake   for find_package(nabla)
#   P/lib/pkgconfig/nabla.pc                 for pkg-config
# oneDNN, fmt and OpenMP are PRIVATE to the shared library and the public headers include only the
# standard library, so consumers need none of them: the package config finds no dependencies.

# Plain `lib`, not Debian's multiarch lib/<triplet>, so the layout above is the same for every prefix.
# Must be set before GNUInstallDirs computes its default.
set(CMAKE_INSTALL_LIBDIR lib CACHE PATH "Object code libraries (lib)")
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Consumers compile our headers, which need C++20; let the imported target say so.
target_compile_features(nabla INTERFACE cxx_std_20)

set(NABLA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nabla)

install(TARGETS nabla EXPORT nablaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nabla
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
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
