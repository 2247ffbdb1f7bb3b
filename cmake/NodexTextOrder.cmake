# Hot/cold layout of the text of executables that opt in with the
# NODEX_LEAN_LINK target property (included by the root CMakeLists' lean-link
# block, so never in sanitizer or libFuzzer builds).
#
# Why: the pages of a mapped binary that is in the page cache are mapped 64 KiB
# at a time (the kernel's fault-around), so what a running nodex keeps resident
# is the number of 64 KiB windows its code touches, not the bytes it executes.
# In the linker's default order the few hundred functions a scrape runs are
# spread over the whole text and keep nearly all of it resident. Compiled with
# one section per function, the sections named in cmake/nodex-text-order.txt
# are placed together by GNU gold, in the file's order: a steady-state scrape's
# functions first, then those only the first scrapes run, then startup's, which
# PageOutStartupMemory (src/base/memory_trim.h) gives back once nodex serves.
# Measured with the benchmark's collectors after 20 scrapes: the nodex mapping
# 3.8 -> 2.5 MiB resident, 1.9 MiB with the startup trim.
#
# The list only affects performance, never correctness: gold ignores names
# that match no section, unlisted functions keep their usual place, and a
# toolchain without gold's --section-ordering-file links as before. Regenerate
# the list after large code changes (the command is in the list's header):
#   scripts/gen-text-order.py --nodex build/nodex
# which profiles startup and scrapes of that binary with callgrind.

option(NODEX_TEXT_ORDER "Lay out the nodex executable's functions hot to cold (GNU gold, lean link only)" ON)
set(NODEX_TEXT_ORDER_FILE "${CMAKE_SOURCE_DIR}/cmake/nodex-text-order.txt")

if(NODEX_TEXT_ORDER)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=gold;LINKER:--section-ordering-file=${NODEX_TEXT_ORDER_FILE}"
                    NODEX_HAVE_GOLD_SECTION_ORDERING)
  if(NODEX_HAVE_GOLD_SECTION_ORDERING)
    # Every library, because every library ends up in nodex; tests do not
    # mind. Also lets --gc-sections drop nodex's own unused functions.
    add_compile_options(-ffunction-sections)
    add_link_options("$<${_nodex_lean}:-fuse-ld=gold;LINKER:--section-ordering-file=${NODEX_TEXT_ORDER_FILE}>")
    # Relink when the list changes. The executables do not exist yet, so this
    # runs once the whole tree has been read.
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _nodex_text_order_link_depends ${CMAKE_SOURCE_DIR})
  else()
    message(STATUS "nodex: no GNU gold --section-ordering-file; the nodex executable keeps the default text layout")
  endif()
endif()

function(_nodex_text_order_link_depends dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(lean ${target} NODEX_LEAN_LINK)
    if(lean)
      set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${NODEX_TEXT_ORDER_FILE})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    _nodex_text_order_link_depends(${subdir})
  endforeach()
endfunction()
