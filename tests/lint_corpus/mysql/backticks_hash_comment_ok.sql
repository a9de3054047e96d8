-- expect: none
# MySQL comment; with a semicolon
CREATE TABLE `order items` (`id` BIGINT PRIMARY KEY, `note` TEXT COMMENT 'a;b');
