package io.kefu.shop;

import java.util.List;
import java.util.Objects;

/**
 * The shop-wide rules customers ask about: shipping, invoices, payment, after-sales.
 *
 * @param dispatchHours orders ship within this many hours of payment
 * @param carriers the carriers, the default one first
 * @param areas delivery times of named areas
 * @param otherAreaDays delivery time everywhere else (e.g. {@code "3-5"} days)
 * @param invoice what invoices the shop issues
 * @param payment how customers can pay
 * @param returns the return and exchange rule
 * @param serviceHours when human staff are online (e.g. {@code 9:00-23:00})
 */
public record ShopPolicies(int dispatchHours, List<Carrier> carriers, List<DeliveryArea> areas,
                           String otherAreaDays, Invoice invoice, Payment payment, Returns returns,
                           String serviceHours) {
    /** Copies collections and checks for nulls. */
    public ShopPolicies {
        carriers = List.copyOf(carriers);
        areas = List.copyOf(areas);
        Objects.requireNonNull(otherAreaDays, "otherAreaDays");
        Objects.requireNonNull(invoice, "invoice");
        Objects.requireNonNull(payment, "payment");
        Objects.requireNonNull(returns, "returns");
        Objects.requireNonNull(serviceHours, "serviceHours");
    }

    /** @return the carrier used unless the customer asks otherwise */
    public Carrier defaultCarrier() {
        return carriers.get(0);
    }

    /** @return the delivery time in days (e.g. {@code "1-2"}) to a place, named areas first */
    public String deliveryDaysTo(String place) {
        for (DeliveryArea area : areas) {
            if (area.places().contains(place)) {
                return area.days();
            }
        }
        return otherAreaDays;
    }

    /**
     * A carrier.
     *
     * @param name e.g. {@code 中通快递}
     * @param extraFee yuan the customer adds for this carrier; 0 means free shipping with it
     */
    public record Carrier(String name, int extraFee) {
        /** Checks for nulls. */
        public Carrier {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A named delivery area.
     *
     * @param name e.g. {@code 江浙沪}
     * @param places the provinces/cities it covers, as customers name them
     * @param days e.g. {@code "1-2"}
     */
    public record DeliveryArea(String name, List<String> places, String days) {
        /** Copies the places and checks for nulls. */
        public DeliveryArea {
            Objects.requireNonNull(name, "name");
            places = List.copyOf(places);
            Objects.requireNonNull(days, "days");
        }
    }

    /**
     * Invoices.
     *
     * @param available whether the shop issues invoices at all
     * @param types the kinds it issues (e.g. {@code 电子普通发票}); empty when not available
     * @param howTo how to request one (e.g. {@code 确认收货后在订单页申请}); empty when not available
     */
    public record Invoice(boolean available, List<String> types, String howTo) {
        /** Copies the types and checks for nulls. */
        public Invoice {
            types = List.copyOf(types);
            Objects.requireNonNull(howTo, "howTo");
        }
    }

    /**
     * Payment.
     *
     * @param methods online payment methods (e.g. {@code 微信支付}, {@code 支付宝}, {@code 花呗})
     * @param cashOnDelivery whether cash on delivery (货到付款) is offered
     * @param codFee the cash-on-delivery fee in yuan (0: none)
     */
    public record Payment(List<String> methods, boolean cashOnDelivery, int codFee) {
        /** Copies the methods. */
        public Payment {
            methods = List.copyOf(methods);
        }
    }

    /**
     * Returns and exchanges.
     *
     * @param days no-reason returns within this many days of receipt (0: none)
     * @param condition what the item must be like (e.g. {@code 吊牌完好、未洗涤未穿着})
     * @param exchange whether exchanges (size/colour) are offered too
     * @param shippingInsurance whether orders come with shipping insurance (运费险) for returns
     */
    public record Returns(int days, String condition, boolean exchange, boolean shippingInsurance) {
        /** Checks for nulls. */
        public Returns {
            Objects.requireNonNull(condition, "condition");
        }
    }
}
