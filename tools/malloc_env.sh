# Sourced by the launch scripts. Large tensors on transparent huge pages:
# with THP in 'madvise' mode (the common default) glibc's malloc asks for them
# only when told, and a BERT-base CPU step then takes 13-28% less time (README,
# Performance). glibc reads tunables at process start and ignores unknown ones.
if [[ "$(uname -s)" == Linux && "${GLIBC_TUNABLES:-}" != *glibc.malloc.hugetlb* ]]; then
    export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
fi
