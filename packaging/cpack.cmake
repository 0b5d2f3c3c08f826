# CPACK_PROJECT_CONFIG_FILE: read by cpack once per generator, with CPACK_GENERATOR set to
# that one generator, before the install rules run. Those rules (cmake/packaging.cmake) do not
# see cpack's variables, so the generator is handed to them through the environment: the
# systemd unit directory and Debian's doc files differ between DEB and RPM.
set(ENV{LLMPROXY_CPACK_GENERATOR} "${CPACK_GENERATOR}")

if(CPACK_GENERATOR STREQUAL "DEB")
  find_program(_llmproxy_shlibdeps dpkg-shlibdeps)
  if(NOT _llmproxy_shlibdeps)
    message(FATAL_ERROR "cpack DEB needs dpkg-shlibdeps for the library dependencies: apt-get install dpkg-dev")
  endif()
elseif(CPACK_GENERATOR STREQUAL "RPM")
  find_program(_llmproxy_rpmbuild rpmbuild)
  if(NOT _llmproxy_rpmbuild)
    message(FATAL_ERROR "cpack RPM needs rpmbuild: apt-get install rpm")
  endif()
endif()
