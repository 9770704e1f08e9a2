# EmbedAssets.cmake: writes a C++ file that holds the web UI's files as byte
# arrays, for src/webui (see webui/assets.h). Run as a script:
#
#   cmake -DDIST_DIR=<vite output dir, or empty> -DOUTPUT=<file.cpp> -P EmbedAssets.cmake
#
# Every file under DIST_DIR becomes one entry {path, mime, body, etag, gzipped}:
#   * path: "/" + its path relative to DIST_DIR ("/index.html", "/assets/index-3fa2c1.js");
#     files and folders whose names start with '.' (Vite's .vite/manifest.json) are skipped;
#   * etag: a quoted prefix of the SHA-256 of the uncompressed bytes;
#   * body: gzip-compressed (level 9, mtime 0) for text types when that saves at
#     least 10%, else the bytes as they are. The server inflates for the rare
#     client that does not accept gzip.
# When DIST_DIR is empty or holds no index.html, one placeholder index.html is
# embedded instead, saying that the UI was not built and how to build it; the
# C++ build never needs Node.
#
# Needs CMake >= 3.18 (file(ARCHIVE_CREATE ... FORMAT raw COMPRESSION GZip MTIME)).
cmake_minimum_required(VERSION 3.18)

if(NOT OUTPUT)
  message(FATAL_ERROR "EmbedAssets.cmake: pass -DOUTPUT=<file.cpp>")
endif()
get_filename_component(_out_dir "${OUTPUT}" DIRECTORY)
set(_work "${_out_dir}/embed_assets.tmp")
file(REMOVE_RECURSE "${_work}")
file(MAKE_DIRECTORY "${_work}")

set(_built 0)
set(_files "")
if(DIST_DIR AND EXISTS "${DIST_DIR}/index.html")
  set(_built 1)
  file(GLOB_RECURSE _found LIST_DIRECTORIES false RELATIVE "${DIST_DIR}" "${DIST_DIR}/*")
  foreach(_rel IN LISTS _found)
    if(_rel MATCHES "(^|/)\\.")
      continue()
    endif()
    list(APPEND _files "${_rel}")
  endforeach()
  set(_root "${DIST_DIR}")
else()
  # The placeholder page: plain HTML, no script, no external resource.
  set(_root "${_work}/placeholder")
  file(WRITE "${_root}/index.html" [=[<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quarry: web UI not built</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; }
  code, pre { font-family: ui-monospace, monospace; background: rgba(127,127,127,.15); padding: .1rem .3rem; border-radius: 3px; }
  pre { padding: .6rem .8rem; overflow-x: auto; }
  @media (prefers-color-scheme: dark) { body { background: #15181d; color: #d8dde5; } }
</style>
</head>
<body>
<h1>Quarry</h1>
<p>The web UI was not built into this binary (it was configured with <code>QUARRY_WEBUI=OFF</code>,
or <code>npm</code> was not found). The operator API under <code>/api/v1</code> works as usual:
see <code>docs/api.md</code>, or use the <code>quarry</code> command line.</p>
<p>To build the UI in, install Node.js 20.19 or newer with npm, then reconfigure and rebuild:</p>
<pre>cmake -S . -B build -DQUARRY_WEBUI=ON
cmake --build build</pre>
</body>
</html>
]=])
  set(_files "index.html")
endif()
list(SORT _files)

# MIME type and whether gzip is worth trying, by extension.
function(_quarry_mime rel out_mime out_text)
  string(TOLOWER "${rel}" _l)
  set(_text 1)
  if(_l MATCHES "\\.html?$")
    set(_m "text/html; charset=utf-8")
  elseif(_l MATCHES "\\.(m?js)$")
    set(_m "text/javascript; charset=utf-8")
  elseif(_l MATCHES "\\.css$")
    set(_m "text/css; charset=utf-8")
  elseif(_l MATCHES "\\.(json|map)$")
    set(_m "application/json")
  elseif(_l MATCHES "\\.svg$")
    set(_m "image/svg+xml")
  elseif(_l MATCHES "\\.txt$")
    set(_m "text/plain; charset=utf-8")
  elseif(_l MATCHES "\\.ico$")
    set(_m "image/x-icon")
  else()
    set(_text 0)
    if(_l MATCHES "\\.png$")
      set(_m "image/png")
    elseif(_l MATCHES "\\.woff2$")
      set(_m "font/woff2")
    elseif(_l MATCHES "\\.webp$")
      set(_m "image/webp")
    else()
      set(_m "application/octet-stream")
    endif()
  endif()
  set(${out_mime} "${_m}" PARENT_SCOPE)
  set(${out_text} "${_text}" PARENT_SCOPE)
endfunction()

# C string literal contents for `s` (paths and MIME types: printable ASCII).
function(_quarry_c_string s out)
  string(REPLACE "\\" "\\\\" s "${s}")
  string(REPLACE "\"" "\\\"" s "${s}")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

set(_arrays "")
set(_table "")
set(_index 0)
set(_total_raw 0)
set(_total_embedded 0)
foreach(_rel IN LISTS _files)
  set(_src "${_root}/${_rel}")
  _quarry_mime("${_rel}" _mime _text)
  file(SHA256 "${_src}" _sha)
  string(SUBSTRING "${_sha}" 0 20 _etag)
  file(SIZE "${_src}" _raw_size)
  math(EXPR _total_raw "${_total_raw} + ${_raw_size}")

  set(_body "${_src}")
  set(_gz "false")
  if(_text AND _raw_size GREATER 256)
    set(_gzfile "${_work}/${_index}.gz")
    file(ARCHIVE_CREATE OUTPUT "${_gzfile}" PATHS "${_src}" FORMAT raw COMPRESSION GZip
         COMPRESSION_LEVEL 9 MTIME 0)
    file(SIZE "${_gzfile}" _gz_size)
    math(EXPR _limit "${_raw_size} * 9 / 10")
    if(_gz_size LESS _limit)
      set(_body "${_gzfile}")
      set(_gz "true")
    endif()
  endif()

  file(SIZE "${_body}" _size)
  math(EXPR _total_embedded "${_total_embedded} + ${_size}")
  file(READ "${_body}" _hex HEX)
  if(_gz)
    # Zero the gzip header's MTIME (bytes 4..7) so that the output is reproducible.
    string(REGEX REPLACE "^(1f8b....)........" "\\100000000" _hex "${_hex}")
  endif()
  # 24 bytes per line, each as 0xNN.
  string(REGEX REPLACE "([0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])"
         "\\1\n" _hex "${_hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
  if(_size EQUAL 0)
    set(_bytes "0x00")  # arrays cannot be empty; the size below stays 0
  endif()
  string(APPEND _arrays "// ${_rel}: ${_raw_size} bytes, embedded ${_size}\nconst unsigned char kBody${_index}[] = {\n${_bytes}\n};\n")

  _quarry_c_string("/${_rel}" _path_c)
  string(APPEND _table
         "      {\"${_path_c}\", \"${_mime}\", Bytes(kBody${_index}, ${_size}), \"\\\"${_etag}\\\"\", ${_gz}},\n")
  math(EXPR _index "${_index} + 1")
endforeach()

if(_built)
  set(_built_cpp "true")
  set(_source_desc "${DIST_DIR}")
else()
  set(_built_cpp "false")
  set(_source_desc "the placeholder page (UI not built)")
endif()

set(_content "// Generated by cmake/EmbedAssets.cmake from ${_source_desc}. Do not edit.
// ${_index} files, ${_total_raw} bytes, ${_total_embedded} bytes embedded.
#include \"webui/embedded_assets.h\"

namespace quarry::webui::internal {
namespace {

std::string_view Bytes(const unsigned char* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

${_arrays}
}  // namespace

const bool kWebUiBuilt = ${_built_cpp};

std::span<const Asset> EmbeddedAssets() {
  // Sorted by path. Built on first use (thread-safe), never destroyed early.
  static const Asset kAssets[] = {
${_table}  };
  return kAssets;
}

}  // namespace quarry::webui::internal
")

# Only touch OUTPUT when it changes, so that an unchanged UI recompiles nothing.
set(_tmp_out "${_work}/out.cpp")
file(WRITE "${_tmp_out}" "${_content}")
file(COPY_FILE "${_tmp_out}" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE_RECURSE "${_work}")
