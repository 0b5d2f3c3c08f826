# CPACK_PROJECT_CONFIG_FILE: read by cpack once per generator, with CPACK_GENERATOR set to
# that one generator. The install rules in cmake/packaging.cmake also look at CPACK_GENERATOR
# (the systemd unit directory and Debian's doc files differ between DEB and RPM).

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
  # Not relocatable: the unit and the config name fixed paths.
  set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
endif()
