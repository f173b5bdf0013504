-- The shop's live knowledge: what customer service may state. Portable SQL (H2 and PostgreSQL).
CREATE TABLE shop (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL
);

-- Shipping, invoice, payment and after-sales rules as one JSON document per shop.
CREATE TABLE policies (
    shop_id     VARCHAR(64) PRIMARY KEY REFERENCES shop (id),
    document    VARCHAR     NOT NULL
);

CREATE TABLE size_charts (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL
);

CREATE TABLE size_chart_rows (
    chart_id    VARCHAR(64) NOT NULL REFERENCES size_charts (id),
    position    INT         NOT NULL,
    size        VARCHAR(16) NOT NULL,
    height_min  INT         NOT NULL,
    height_max  INT         NOT NULL,
    weight_min  INT         NOT NULL,
    weight_max  INT         NOT NULL,
    PRIMARY KEY (chart_id, size)
);

CREATE TABLE products (
    id           VARCHAR(64)  PRIMARY KEY,
    position     INT          NOT NULL,
    name         VARCHAR(200) NOT NULL,
    category     VARCHAR(100) NOT NULL,
    price        INT          NOT NULL CHECK (price >= 0),
    material     VARCHAR(500) NOT NULL,
    care         VARCHAR(500) NOT NULL,
    size_chart   VARCHAR(64)  NOT NULL REFERENCES size_charts (id),
    restock_days INT          NOT NULL CHECK (restock_days >= 0)
);

CREATE TABLE product_sizes (
    product_id  VARCHAR(64) NOT NULL REFERENCES products (id),
    position    INT         NOT NULL,
    size        VARCHAR(16) NOT NULL,
    PRIMARY KEY (product_id, size)
);

CREATE TABLE product_colors (
    product_id  VARCHAR(64) NOT NULL REFERENCES products (id),
    position    INT         NOT NULL,
    color       VARCHAR(64) NOT NULL,
    PRIMARY KEY (product_id, color)
);

-- One row per SKU (product x colour x size) with its stock.
CREATE TABLE skus (
    product_id  VARCHAR(64) NOT NULL REFERENCES products (id),
    color       VARCHAR(64) NOT NULL,
    size        VARCHAR(16) NOT NULL,
    stock       INT         NOT NULL CHECK (stock >= 0),
    PRIMARY KEY (product_id, color, size)
);

CREATE TABLE promotions (
    id          VARCHAR(64)  PRIMARY KEY,
    position    INT          NOT NULL,
    type        VARCHAR(32)  NOT NULL,
    threshold   INT          NOT NULL CHECK (threshold >= 0),
    amount      INT          NOT NULL CHECK (amount > 0),
    valid_from  DATE         NOT NULL,
    valid_to    DATE         NOT NULL,
    how_to_get  VARCHAR(200) NOT NULL,
    audience    VARCHAR(100) NOT NULL,
    CHECK (valid_to >= valid_from)
);
CREATE INDEX promotions_validity ON promotions (valid_from, valid_to);

-- Categories a promotion is limited to; none means the whole shop.
CREATE TABLE promotion_categories (
    promotion_id VARCHAR(64)  NOT NULL REFERENCES promotions (id),
    category     VARCHAR(100) NOT NULL,
    PRIMARY KEY (promotion_id, category)
);
