//! Finding the apps whose part of the config makes `haproxy -c` fail.
