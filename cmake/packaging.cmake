# Install rules and CPack settings for the .deb and .rpm packages (see docs/operations.md).
#
#   cmake --build build && (cd build && cpack -G "DEB;RPM")     # or: make package
#
# Package layout (DEB; the RPM differs only where its distributions differ):
#   /usr/sbin/llmproxy                         (CMakeLists.txt's install(TARGETS))
#   /etc/llmproxy/llmproxy.conf                conffile, packaging/llmproxy.conf
#   /etc/default/llmproxy                      conffile, secrets for the unit
#   /etc/logrotate.d/llmproxy                  conffile
#   /lib/systemd/system/llmproxy.service       RPM: /usr/lib/systemd/system
#   /usr/share/man/man8/llmproxy.8.gz, man5/llmproxy.conf.5.gz
#   /usr/share/llmproxy/migrations/            SQL migrations (llmproxy migrate)
#   /usr/share/llmproxy/grafana/llmproxy.json  Grafana dashboard
#   /usr/share/llmproxy/ui/                    admin web UI (ui/dist, server.admin_ui_root)
#   /usr/share/doc/llmproxy/                   operations guide, example config and price file
#
# Files with absolute destinations (/etc, /lib) go to the same place whatever
# CMAKE_INSTALL_PREFIX is, as nginx's do; a plain `cmake --install` as root therefore
# writes /etc/llmproxy/llmproxy.conf. Pass -DLLMPROXY_INSTALL_SYSTEM_FILES=OFF to skip them.

include(GNUInstallDirs)

set(LLMPROXY_PKG_DIR ${PROJECT_SOURCE_DIR}/packaging)

option(LLMPROXY_INSTALL_SYSTEM_FILES "Install /etc and systemd files as well" ON)
set(LLMPROXY_SYSTEMD_UNITDIR "/lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed (the RPM package always uses /usr/lib/systemd/system)")
set(LLMPROXY_PACKAGE_MAINTAINER "llmproxy maintainers <maintainers@llmproxy.example.org>" CACHE STRING
    "Maintainer field of the packages and the Debian changelog")
set(LLMPROXY_PACKAGE_RELEASE "" CACHE STRING
    "Package revision appended to the version (empty: llmproxy_<version>_<arch>.deb)")

# ---- man pages, gzipped at build time ------------------------------------------------------
find_program(LLMPROXY_GZIP gzip REQUIRED)
set(LLMPROXY_MAN_OUT ${PROJECT_BINARY_DIR}/man)
set(LLMPROXY_MAN_GZ)
foreach(page llmproxy.8 llmproxy.conf.5)
  add_custom_command(
    OUTPUT ${LLMPROXY_MAN_OUT}/${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${LLMPROXY_MAN_OUT}
    COMMAND ${LLMPROXY_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/man/${page} > ${LLMPROXY_MAN_OUT}/${page}.gz
    DEPENDS ${PROJECT_SOURCE_DIR}/man/${page}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND LLMPROXY_MAN_GZ ${LLMPROXY_MAN_OUT}/${page}.gz)
endforeach()

# Debian wants its changelog and copyright in /usr/share/doc/<package>. A version without a
# Debian revision is a native package, whose changelog is changelog.gz.
if(LLMPROXY_PACKAGE_RELEASE)
  set(LLMPROXY_DEB_VERSION ${PROJECT_VERSION}-${LLMPROXY_PACKAGE_RELEASE})
  set(LLMPROXY_DEB_CHANGELOG changelog.Debian.gz)
else()
  set(LLMPROXY_DEB_VERSION ${PROJECT_VERSION})
  set(LLMPROXY_DEB_CHANGELOG changelog.gz)
endif()
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  string(TIMESTAMP LLMPROXY_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
else()
  string(TIMESTAMP LLMPROXY_CHANGELOG_DATE "%a, %d %b %Y 00:00:00 +0000" UTC)
endif()
set(PROJECT_VERSION_SAVED ${PROJECT_VERSION})
set(PROJECT_VERSION ${LLMPROXY_DEB_VERSION})
configure_file(${LLMPROXY_PKG_DIR}/deb/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog @ONLY)
set(PROJECT_VERSION ${PROJECT_VERSION_SAVED})
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/packaging/${LLMPROXY_DEB_CHANGELOG}
  COMMAND ${LLMPROXY_GZIP} -9 -n -c ${PROJECT_BINARY_DIR}/packaging/changelog
          > ${PROJECT_BINARY_DIR}/packaging/${LLMPROXY_DEB_CHANGELOG}
  DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog
  VERBATIM)

# Part of `all`, so `cmake --build` before `cpack` has everything the install rules need.
add_custom_target(llmproxy_package_files ALL
  DEPENDS ${LLMPROXY_MAN_GZ} ${PROJECT_BINARY_DIR}/packaging/${LLMPROXY_DEB_CHANGELOG})

# Debian's conffiles list: every file the package puts under /etc.
file(WRITE ${PROJECT_BINARY_DIR}/packaging/conffiles
  "/etc/default/llmproxy\n/etc/llmproxy/llmproxy.conf\n/etc/logrotate.d/llmproxy\n")

# ---- install rules -------------------------------------------------------------------------
install(FILES ${LLMPROXY_MAN_OUT}/llmproxy.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${LLMPROXY_MAN_OUT}/llmproxy.conf.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# The migrations directory exists even while it is empty (git keeps no empty folders).
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_DATADIR}/llmproxy/migrations)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/migrations/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/llmproxy/migrations
        OPTIONAL FILES_MATCHING PATTERN "*.sql")
install(FILES ${LLMPROXY_PKG_DIR}/grafana/llmproxy.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/llmproxy/grafana)
# The admin web UI as built (ui/build.sh; committed, so no Node.js is needed here).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/ui/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/llmproxy/ui)

install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/configuration.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/conf/llmproxy.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/conf/prices.example.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples OPTIONAL)

if(LLMPROXY_INSTALL_SYSTEM_FILES)
  install(FILES ${LLMPROXY_PKG_DIR}/llmproxy.conf DESTINATION /etc/llmproxy)
  install(FILES ${LLMPROXY_PKG_DIR}/llmproxy.default DESTINATION /etc/default RENAME llmproxy)
  install(FILES ${LLMPROXY_PKG_DIR}/llmproxy.logrotate DESTINATION /etc/logrotate.d RENAME llmproxy)
  # The unit's directory depends on the package being built: cpack runs these install rules
  # once per generator, after packaging/cpack.cmake has put the generator's name in the
  # environment. file(INSTALL) adds $DESTDIR itself.
  install(CODE "
    if(\"\$ENV{LLMPROXY_CPACK_GENERATOR}\" STREQUAL \"RPM\")
      set(_llmproxy_unitdir /usr/lib/systemd/system)
    else()
      set(_llmproxy_unitdir \"${LLMPROXY_SYSTEMD_UNITDIR}\")
    endif()
    file(INSTALL DESTINATION \"\${_llmproxy_unitdir}\" TYPE FILE
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
         FILES \"${LLMPROXY_PKG_DIR}/llmproxy.service\")
    if(NOT \"\$ENV{LLMPROXY_CPACK_GENERATOR}\" STREQUAL \"RPM\")
      file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\" TYPE FILE
           FILES \"${LLMPROXY_PKG_DIR}/deb/copyright\"
                 \"${PROJECT_BINARY_DIR}/packaging/${LLMPROXY_DEB_CHANGELOG}\")
    endif()
  ")
endif()

# ---- tests that need no package build (ctest -L packaging) ----------------------------------
if(LLMPROXY_TESTS)
  add_test(NAME packaging.man_lists_every_directive
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/packaging/man_directives_test.sh ${PROJECT_SOURCE_DIR})
  add_test(NAME packaging.man_pages_lint
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/packaging/man_lint_test.sh ${PROJECT_SOURCE_DIR})
  add_test(NAME packaging.grafana_dashboard
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/packaging/dashboard_test.sh ${PROJECT_SOURCE_DIR})
  add_test(NAME packaging.ui_files_installed
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/packaging/ui_files_test.sh
                   ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(packaging.man_lists_every_directive packaging.man_pages_lint
                       packaging.grafana_dashboard packaging.ui_files_installed
                       PROPERTIES LABELS packaging SKIP_RETURN_CODE 77)
endif()

# ---- CPack ---------------------------------------------------------------------------------
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGE_NAME llmproxy)
set(CPACK_PACKAGE_VENDOR "llmproxy")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${LLMPROXY_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OpenAI-compatible LLM API gateway")
set(CPACK_PACKAGE_DESCRIPTION
  "llmproxy sits between LLM clients and providers: clients keep their OpenAI or\n"
  "Anthropic SDK and change only the base URL and key. It authenticates client\n"
  "keys, applies per-key model lists, rate limits and quotas, picks a provider by\n"
  "weight and health, relays streamed answers as they arrive and exports\n"
  "Prometheus metrics. Built like nginx: a master process and libuv workers,\n"
  "reloaded in place by SIGHUP.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_PROJECT_CONFIG_FILE ${LLMPROXY_PKG_DIR}/cpack.cmake)
# Only what the install rules say: no test binaries, no static libraries.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};llmproxy;ALL;/")

# DEB
set(CPACK_DEBIAN_PACKAGE_NAME llmproxy)
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${LLMPROXY_PACKAGE_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${LLMPROXY_PACKAGE_MAINTAINER}")
# Library dependencies (libuv1, libssl3, libpq5, libhiredis0.14, libspdlog1.10, ...) come from
# dpkg-shlibdeps on the built binary; adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, redis-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${LLMPROXY_PKG_DIR}/deb/postinst
  ${LLMPROXY_PKG_DIR}/deb/prerm
  ${LLMPROXY_PKG_DIR}/deb/postrm
  ${PROJECT_BINARY_DIR}/packaging/conffiles)

# RPM
set(CPACK_RPM_PACKAGE_NAME llmproxy)
set(CPACK_RPM_PACKAGE_VERSION ${PROJECT_VERSION})
if(LLMPROXY_PACKAGE_RELEASE)
  set(CPACK_RPM_PACKAGE_RELEASE ${LLMPROXY_PACKAGE_RELEASE})
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
else()
  set(CPACK_RPM_PACKAGE_RELEASE 1)
  set(CPACK_RPM_FILE_NAME "llmproxy-${PROJECT_VERSION}.${CMAKE_SYSTEM_PROCESSOR}.rpm")
endif()
set(CPACK_RPM_PACKAGE_LICENSE "Unspecified")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_SUMMARY "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# Library requirements come from rpmbuild's automatic dependency finder (by soname).
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES_POST "systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_PREUN "systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_POSTUN "systemd")
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${LLMPROXY_PKG_DIR}/rpm/pre.sh)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${LLMPROXY_PKG_DIR}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${LLMPROXY_PKG_DIR}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${LLMPROXY_PKG_DIR}/rpm/postun.sh)
set(CPACK_RPM_USER_FILELIST
  "%config(noreplace) %attr(0640,root,llmproxy) /etc/llmproxy/llmproxy.conf"
  "%config(noreplace) %attr(0600,root,root) /etc/default/llmproxy"
  "%config(noreplace) /etc/logrotate.d/llmproxy")
# Directories the distribution owns; the package must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /etc/default /etc/logrotate.d /usr/sbin /usr/lib/systemd /usr/lib/systemd/system
  /usr/share/man /usr/share/man/man5 /usr/share/man/man8)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none\n%global debug_package %{nil}")

include(CPack)
